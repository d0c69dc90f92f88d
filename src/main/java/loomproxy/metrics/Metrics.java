package loomproxy.metrics;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import loomproxy.tls.TlsMaterial;
import loomproxy.upstream.UpstreamGroup;

/**
 * The registry of one proxy (SPEC §10): every server block's {@link ServerMetrics}, every upstream
 * group's {@link UpstreamMetrics}, the reload state, and the JMX beans that mirror them. One per
 * {@code Proxy}, never static, so several proxies in one JVM (tests) keep apart.
 *
 * <p>Blocks and groups are (re)registered by name: {@link #register} returns the block's existing
 * counters when the name is known, points them at the (possibly rebuilt) group and TLS files, and
 * drops the series of servers no longer in the group; {@link #retain} drops the blocks a new
 * configuration no longer has, and groups no block uses. So a reload (SPEC §7) registers each block
 * of the new configuration, then retains their names: counters of blocks and servers that stay
 * carry on, series of removed servers and of certificates no longer in use disappear.
 *
 * <p>Reads (scrapes, the status page) see immutable maps swapped in under the lock that
 * registration holds; nothing on the data path takes it.
 */
public final class Metrics {
    private final Path configFile;
    private final InstantSource clock;
    private final Instant started;
    private final Reloads reloads;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Map<String, ServerMetrics> servers = Map.of();
    private volatile Map<String, UpstreamMetrics> upstreams = Map.of();
    private Jmx jmx;

    public Metrics(Path configFile, InstantSource clock) {
        this.configFile = configFile;
        this.clock = clock;
        this.started = clock.instant();
        this.reloads = new Reloads(started);
    }

    /** The block's counters (the same object for the same name), pointed at {@code group} and {@code tls}. */
    public ServerMetrics register(String server, UpstreamGroup group, Optional<TlsMaterial> tls) {
        lock.lock();
        try {
            Map<String, UpstreamMetrics> u = new LinkedHashMap<>(upstreams);
            UpstreamMetrics upstream = u.computeIfAbsent(group.name(), UpstreamMetrics::new);
            upstream.use(group);
            Map<String, ServerMetrics> s = new LinkedHashMap<>(servers);
            ServerMetrics metrics = s.computeIfAbsent(server, n -> new ServerMetrics(n, clock));
            metrics.use(upstream, tls);
            upstreams = Collections.unmodifiableMap(u);
            servers = Collections.unmodifiableMap(s);
            syncJmx();
            return metrics;
        } finally {
            lock.unlock();
        }
    }

    /**
     * After DNS changed {@code group}'s servers (SPEC §11): series of servers that went disappear,
     * new ones appear at zero, and the JMX beans follow.
     */
    public void refresh(UpstreamGroup group) {
        lock.lock();
        try {
            UpstreamMetrics upstream = upstreams.get(group.name());
            if (upstream == null) {
                return;
            }
            upstream.use(group);
            for (ServerMetrics s : servers.values()) {
                if (s.upstream == upstream) {
                    s.peersChanged();
                }
            }
            syncJmx();
        } finally {
            lock.unlock();
        }
    }

    /** Keeps only the blocks named (the configuration now running) and the groups they use. */
    public void retain(Collection<String> serverNames) {
        lock.lock();
        try {
            Map<String, ServerMetrics> s = new LinkedHashMap<>(servers);
            s.keySet().retainAll(Set.copyOf(serverNames));
            Set<String> used = s.values().stream().map(m -> m.upstream.name).collect(Collectors.toSet());
            Map<String, UpstreamMetrics> u = new LinkedHashMap<>(upstreams);
            u.keySet().retainAll(used);
            servers = Collections.unmodifiableMap(s);
            upstreams = Collections.unmodifiableMap(u);
            syncJmx();
        } finally {
            lock.unlock();
        }
    }

    public Reloads reloads() {
        return reloads;
    }

    /** When this proxy loaded its configuration. */
    public Instant started() {
        return started;
    }

    public Path configFile() {
        return configFile;
    }

    public Collection<ServerMetrics> servers() {
        return servers.values();
    }

    public Collection<UpstreamMetrics> upstreams() {
        return upstreams.values();
    }

    /** Every family of SPEC §10 in Prometheus' text format 0.0.4. */
    public String scrape() {
        return Scrape.of(this);
    }

    /** Prometheus' Content-Type for {@link #scrape}. */
    public static String contentType() {
        return Exposition.CONTENT_TYPE;
    }

    /**
     * Registers the MBeans (SPEC §10, JMX) on the platform MBeanServer, and from now on keeps them in
     * step with {@link #register} and {@link #retain}. Returns the names registered.
     */
    public List<javax.management.ObjectName> startJmx() {
        lock.lock();
        try {
            if (jmx == null) {
                jmx = new Jmx(this);
            }
            syncJmx();
            return jmx.names();
        } finally {
            lock.unlock();
        }
    }

    /** Unregisters every MBean of this proxy. */
    public void stopJmx() {
        lock.lock();
        try {
            if (jmx != null) {
                jmx.close();
                jmx = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private void syncJmx() {
        if (jmx != null) {
            jmx.sync(servers.values(), upstreams.values());
        }
    }
}
