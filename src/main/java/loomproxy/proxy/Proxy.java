package loomproxy.proxy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import loomproxy.admin.AdminServer;
import loomproxy.config.AdminConfig;
import loomproxy.config.ConfigException;
import loomproxy.config.Problem;
import loomproxy.config.ProxyConfig;
import loomproxy.config.Problems;
import loomproxy.metrics.Metrics;
import loomproxy.observe.AccessLog;
import loomproxy.tls.TlsFiles;
import loomproxy.tls.TlsSetup;
import loomproxy.tls.UpstreamTls;
import loomproxy.upstream.UpstreamGroup;

/**
 * A configured proxy: its server blocks, their listeners and open sessions. {@link #prepare}
 * validates everything (TLS files included) before {@link #start} binds anything, and a failed bind
 * releases what was already bound. {@link #reload} swaps in a new configuration the same way, and
 * the TLS watcher swaps in a block's new certificate files when their content changes (SPEC §7).
 */
public final class Proxy {
    /** How long reset sessions get to write their log lines. */
    private static final Duration ABORT_GRACE = Duration.ofSeconds(5);

    private final System.Logger log;
    private final Sessions sessions;
    private final Metrics metrics;
    private volatile AdminConfig admin;
    private AdminServer adminServer;
    /** One change at a time: a reload, a certificate rotation, a shutdown. */
    private final ReentrantLock changes = new ReentrantLock();
    private volatile List<Block> blocks;
    private volatile Duration tlsReloadInterval;
    private Deadlines deadlines;
    private ListenerSet listeners;
    /** Active health checks (SPEC §11), following every change of the blocks. */
    private HealthChecks health;
    /** DNS for upstream servers (SPEC §11): at every load, and every resolver_valid for servers with resolve. */
    private final Resolver resolver;
    private volatile Duration resolverValid;
    private Thread resolving;
    /** The TLS fingerprint a rotation last failed to load, per block, so the failure is logged once. */
    private final Map<String, TlsFiles> refused = new HashMap<>();
    /** Shutdown has begun: no more reloads or rotations, and /healthz says 503 (SPEC §10). */
    private volatile boolean draining;
    /** Shutdown is over: the sweeper and the watcher end. */
    private volatile boolean stopped;

    private Proxy(List<Block> blocks, ProxyConfig config, System.Logger log, Sessions sessions, Metrics metrics,
                  Resolver resolver) {
        this.blocks = blocks;
        this.resolver = resolver;
        this.resolverValid = config.resolverValid();
        this.tlsReloadInterval = config.tlsReloadInterval();
        this.admin = config.admin();
        this.log = log;
        this.sessions = sessions;
        this.metrics = metrics;
    }

    /**
     * Builds every block, looking up the upstream servers' names with the JDK's resolver; reports all
     * problems at once; warnings go to {@code problems} too.
     */
    public static Proxy prepare(ProxyConfig config, System.Logger log, AccessLog accessLog, Problems problems)
            throws ConfigException {
        return prepare(config, log, accessLog, problems, Resolver.SYSTEM);
    }

    /**
     * As {@link #prepare(ProxyConfig, System.Logger, AccessLog, Problems)}, with names looked up by
     * {@code lookup} (tests): a name's addresses, in order, or none when it does not resolve.
     */
    public static Proxy prepare(ProxyConfig config, System.Logger log, AccessLog accessLog, Problems problems,
                                Function<String, List<InetAddress>> lookup) throws ConfigException {
        Metrics metrics = new Metrics(config.file(), InstantSource.system());
        Resolver resolver = new Resolver(lookup, log);
        Generation first = Generation.build(config, List.of(), metrics, problems, resolver);
        problems.throwIfAny();
        return new Proxy(first.blocks(), config, log, new Sessions(accessLog, log), metrics, resolver);
    }

    /**
     * Starts what the data path needs, binds every listen address, then starts accepting; on a
     * failure nothing stays bound and nothing keeps running.
     */
    public void start() throws IOException {
        IoPoller.start();
        deadlines = new Deadlines();
        listeners = new ListenerSet(sessions, deadlines, log);
        try {
            // What may fail for want of resources (the JDK's management library, the admin port)
            // starts before any listener accepts, so a failed start has served no one.
            startJmx();
            if (admin.listen().isPresent()) {
                adminServer = AdminServer.start(admin.listen().get(), admin.allow(), metrics, this::trouble, log);
            }
            listeners.apply(blocks);
            recordListeners();
            health = new HealthChecks(deadlines, log);
            health.apply(blocks);
        } catch (IOException | RuntimeException e) {
            if (adminServer != null) {
                adminServer.close();
            }
            metrics.stopJmx();
            listeners.closeAll();
            if (health != null) {
                health.stop();
            }
            deadlines.close();
            throw e;
        }
        Thread.ofPlatform().daemon().name("idle sweeper").start(() -> sessions.sweepIdle(this::sweepTick, () -> !stopped));
        Thread.ofPlatform().daemon().name("tls watcher").start(this::watchTlsFiles);
        resolving = Thread.ofVirtual().name("resolver").start(this::resolveAgain);
        listeners.addresses().forEach((name, addresses) -> log.log(Level.INFO, "server " + name + " listening on "
                + addresses.stream().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList()));
    }

    /**
     * Swaps in {@code next} (already parsed) without dropping a connection: what did not change is
     * kept (see {@link Generation}, {@link ListenerSet}); open sessions finish on the settings they
     * started with. If anything in {@code next} is wrong — a TLS file, a key, an address that cannot be
     * bound — nothing changes and the problems are thrown.
     *
     * @return a one-line summary for the log
     */
    public String reload(ProxyConfig next, AccessLog accessLog, Problems problems) throws ConfigException, IOException {
        changes.lock();
        try {
            if (draining) {
                throw new IOException("the proxy is shutting down");
            }
            Generation generation = Generation.build(next, blocks, metrics, problems, resolver);
            problems.throwIfAny();
            // A new admin address is bound before anything else changes; the same address keeps
            // its socket (binding it again would meet ourselves) and takes the new admin_allow.
            boolean adminMoves = !next.admin().listen().equals(admin.listen());
            AdminServer newAdmin = adminMoves ? startAdmin(next.admin()) : null;
            try {
                listeners.apply(generation.blocks());
            } catch (IOException | RuntimeException e) {
                if (newAdmin != null) {
                    newAdmin.close();
                }
                throw e;
            }
            if (adminMoves) {
                if (adminServer != null) {
                    adminServer.close();
                }
                adminServer = newAdmin;
            } else if (adminServer != null) {
                adminServer.allow(next.admin().allow());
            }
            admin = next.admin();
            blocks = generation.blocks();
            health.apply(blocks);
            metrics.retain(blocks.stream().map(Block::name).toList());
            recordListeners();
            tlsReloadInterval = next.tlsReloadInterval();
            resolverValid = next.resolverValid();
            if (resolving != null) {
                LockSupport.unpark(resolving); // the new resolver_valid counts from now, not after the old one
            }
            sessions.accessLog(accessLog);
            long tls = generation.blocks().stream().filter(b -> b.tls().isPresent()).count();
            return generation.blocks().size() + " server blocks, TLS kept for " + generation.tlsKept() + " of " + tls;
        } finally {
            changes.unlock();
        }
    }

    /**
     * Certificate rotation (tls_reload_interval): a block whose TLS files changed content gets a TLS
     * made from the new files, if they load as a consistent set; a half-written set (a new
     * certificate, its key not there yet) keeps the old one, is logged once, and is tried again.
     */
    void rotateTls() {
        changes.lock();
        try {
            if (draining) {
                return;
            }
            List<Block> next = new ArrayList<>(blocks);
            boolean changed = false;
            for (int i = 0; i < next.size(); i++) {
                Optional<Block> rotated = rotated(next.get(i));
                if (rotated.isPresent()) {
                    next.set(i, rotated.get());
                    changed = true;
                }
            }
            if (changed) {
                listeners.apply(next);
                blocks = List.copyOf(next);
                health.apply(blocks);
            }
        } catch (IOException e) {
            // Same addresses and parameters as before: nothing is bound anew, so this cannot happen.
            log.log(Level.ERROR, "certificate rotation: " + e.getMessage());
        } finally {
            changes.unlock();
        }
    }

    private Optional<Block> rotated(Block block) {
        if (block.tls().isEmpty()) {
            return Optional.empty();
        }
        TlsFiles now = TlsFiles.of(block.config().tls());
        if (now.equals(block.tls().get().files()) || now.equals(refused.get(block.name()))) {
            return Optional.empty();
        }
        Problems problems = new Problems();
        Optional<UpstreamTls> tls = TlsSetup.load(block.config().tls(), block.config().sources(), problems,
                InstantSource.system());
        if (tls.isEmpty() || !problems.list().isEmpty()) {
            refused.put(block.name(), now);
            log.log(Level.WARNING, "server " + block.name() + ": its TLS files changed but do not load as a set;"
                    + " keeping the previous ones and trying again every " + tlsReloadInterval.toMillis() + "ms: "
                    + problems.list().stream().map(Problem::toString).reduce((a, b) -> a + "; " + b).orElse("?"));
            return Optional.empty();
        }
        refused.remove(block.name());
        log.log(Level.INFO, "server " + block.name() + ": TLS files changed; new sessions use them"
                + " (a new TLS context: sessions are not resumed across the change)");
        // What a start or a reload would warn about (an expired certificate, a key readable by
        // others) is said here too: a rotation is how such a file most often arrives.
        for (Problem warning : problems.warnings()) {
            log.log(Level.WARNING, "server " + block.name() + ": rotated TLS files: " + warning);
        }
        return Optional.of(new Block(block.config(), block.group(), tls,
                metrics.register(block.name(), block.group(), tls.map(UpstreamTls::material))));
    }

    private void watchTlsFiles() {
        while (!stopped) {
            Duration interval = tlsReloadInterval;
            LockSupport.parkNanos((interval.isZero() ? Duration.ofSeconds(1) : interval).toNanos());
            if (!interval.isZero() && !stopped) {
                try {
                    rotateTls();
                } catch (RuntimeException e) {
                    log.log(Level.ERROR, "tls watcher: internal error: " + e);
                }
            }
        }
    }

    /**
     * Every resolver_valid, the names of servers with {@code resolve} are looked up again (SPEC §11).
     * The lookups run without the lock for changes (DNS may be slow); what they found is applied
     * under it, to groups still in use: the group's servers, its health checks and its metrics.
     */
    private void resolveAgain() {
        while (!stopped) {
            LockSupport.parkNanos(resolverValid.toNanos());
            if (stopped) {
                return;
            }
            try {
                for (var group : blocks.stream().map(Block::group).distinct().filter(Resolver::resolving).toList()) {
                    resolveAgain(group);
                }
            } catch (RuntimeException e) {
                log.log(Level.ERROR, "resolver: internal error: " + e);
            }
        }
    }

    private void resolveAgain(UpstreamGroup group) {
        var found = resolver.lookUpAgain(group);
        changes.lock();
        try {
            if (draining || blocks.stream().noneMatch(b -> b.group() == group)) {
                return; // a reload replaced it; the reload looked its names up itself
            }
            if (resolver.apply(group, found)) {
                health.sync(group);
                metrics.refresh(group);
            }
        } finally {
            changes.unlock();
        }
    }

    /** The MBeans (SPEC §10); the JDK loads its management library here, which needs a descriptor. */
    private void startJmx() throws IOException {
        try {
            metrics.startJmx();
        } catch (LinkageError e) {
            throw new IOException("cannot start JMX (" + e.getMessage()
                    + "): raise the open-file limit (ulimit -n, LimitNOFILE= in the unit)", e);
        }
    }

    /** The admin endpoint a reload asks for (null when off); bound before anything else changes. */
    private AdminServer startAdmin(AdminConfig next) throws IOException {
        return next.listen().isEmpty() ? null
                : AdminServer.start(next.listen().get(), next.allow(), metrics, this::trouble, log);
    }

    /** Each block's bound addresses, for /status. */
    private void recordListeners() {
        Map<String, List<InetSocketAddress>> bound = listeners.addresses();
        for (Block block : blocks) {
            block.metrics().listening(bound.getOrDefault(block.name(), List.of()));
        }
    }

    /** Empty while every listener is bound and the proxy is not draining; else why not (/healthz). */
    private Optional<String> trouble() {
        if (draining) {
            return Optional.of("draining");
        }
        ListenerSet current = listeners;
        return current == null ? Optional.of("starting") : current.closedOne().map(a -> "listener " + a + " is closed");
    }

    /** This proxy's metrics registry (SPEC §10): what /metrics, /status and JMX show. */
    public Metrics metrics() {
        return metrics;
    }

    /** Where the admin endpoint listens (port 0 resolved); empty when admin_listen is off or before start. */
    public Optional<InetSocketAddress> adminAddress() {
        changes.lock();
        try {
            return Optional.ofNullable(adminServer).map(AdminServer::address);
        } finally {
            changes.unlock();
        }
    }

    /** A quarter of the shortest proxy_timeout, between 10 ms and 1 s: how late an idle session may end. */
    private Duration sweepTick() {
        long shortest = blocks.stream().mapToLong(b -> b.config().timeout().toMillis()).min().orElse(1000);
        return Duration.ofMillis(Math.max(10, Math.min(1000, shortest / 4)));
    }

    /** The addresses each server block listens on, after binding (port 0 resolved). */
    public Map<String, List<InetSocketAddress>> addresses() {
        changes.lock();
        try {
            return listeners == null ? Map.of() : Map.copyOf(listeners.addresses());
        } finally {
            changes.unlock();
        }
    }

    /** Each block's health verdict on each server it checks, for tests in this package. */
    Map<String, Map<loomproxy.upstream.Peer, Boolean>> healthVerdicts() {
        changes.lock();
        try {
            return health == null ? Map.of() : health.verdicts();
        } finally {
            changes.unlock();
        }
    }

    /** The server blocks now serving, for tests in this package (their upstream groups' counters). */
    List<Block> blocks() {
        return blocks;
    }

    /** The limit counters of every server block (tests in this package). */
    Limits limits() {
        return sessions.limits();
    }

    public int openSessions() {
        return sessions.count();
    }

    /**
     * Stops accepting, lets open sessions finish for up to {@code grace} (shutdown_timeout), then
     * resets the rest. Returns true when every session ended on its own. Nothing here waits on a
     * peer: the resets wake every session's threads at once.
     */
    public boolean shutdown(Duration grace) {
        changes.lock();
        try {
            draining = true;
            if (listeners != null) {
                listeners.closeAll();
            }
            if (health != null) {
                health.stop();
            }
        } finally {
            changes.unlock();
        }
        try {
            boolean drained = sessions.awaitDrained(grace);
            if (!drained) {
                log.log(Level.WARNING, "closing " + sessions.count() + " open sessions after shutdown_timeout "
                        + grace.toMillis() + "ms");
                sessions.abortAll();
                if (!sessions.awaitDrained(ABORT_GRACE)) {
                    log.log(Level.ERROR, sessions.count() + " sessions still open " + ABORT_GRACE.toMillis()
                            + "ms after being reset; exiting anyway");
                }
            }
            return drained;
        } finally {
            stopped = true;
            if (resolving != null) {
                LockSupport.unpark(resolving);
            }
            if (deadlines != null) {
                deadlines.close();
            }
            changes.lock();
            try {
                if (adminServer != null) {
                    adminServer.close();
                }
            } finally {
                changes.unlock();
            }
            metrics.stopJmx();
        }
    }
}
