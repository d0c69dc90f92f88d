package loomproxy.metrics;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The MBeans of one proxy on the platform MBeanServer (SPEC §10): {@code loomproxy:type=Server,name=NAME}
 * per server block and {@code loomproxy:type=Peer,upstream=GROUP,name="HOST:PORT"} per upstream
 * server, values quoted where ObjectName needs it (a colon, for one). They are registered at start,
 * follow every re-registration (a reload), and are unregistered at shutdown.
 *
 * <p>A process runs one proxy; a JVM running several (tests, an embedding) gets the plain names for
 * the first, and for each later one the same names with an extra key {@code proxy=N} (2, 3, ...),
 * chosen once at its start so its names stay put.
 */
final class Jmx {
    static final String DOMAIN = "loomproxy";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Metrics metrics;
    private final Map<ObjectName, Object> registered = new LinkedHashMap<>();
    private String extraKey;

    Jmx(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Registers beans for what is there now and unregisters those of what went. */
    void sync(Collection<ServerMetrics> servers, Collection<UpstreamMetrics> upstreams) {
        if (extraKey == null) {
            extraKey = chooseExtraKey(servers, upstreams);
        }
        Map<ObjectName, Object> wanted = wanted(servers, upstreams, extraKey);
        for (ObjectName name : List.copyOf(registered.keySet())) {
            if (!wanted.containsKey(name)) {
                unregister(name);
            }
        }
        wanted.forEach((name, bean) -> {
            if (!registered.containsKey(name)) {
                register(name, bean);
            }
        });
    }

    List<ObjectName> names() {
        return List.copyOf(registered.keySet());
    }

    void close() {
        List.copyOf(registered.keySet()).forEach(this::unregister);
    }

    private Map<ObjectName, Object> wanted(Collection<ServerMetrics> servers, Collection<UpstreamMetrics> upstreams,
                                           String extra) {
        Map<ObjectName, Object> wanted = new LinkedHashMap<>();
        for (ServerMetrics s : servers) {
            wanted.put(name("type=Server,name=" + quoted(s.name) + extra), new ServerBean(s));
        }
        for (UpstreamMetrics u : upstreams) {
            for (String peer : u.peerNames()) {
                wanted.put(name("type=Peer,upstream=" + quoted(u.name) + ",name=" + quoted(peer) + extra),
                        new PeerBean(metrics, u, peer));
            }
        }
        return wanted;
    }

    private String chooseExtraKey(Collection<ServerMetrics> servers, Collection<UpstreamMetrics> upstreams) {
        for (int n = 1; ; n++) {
            String extra = n == 1 ? "" : ",proxy=" + n;
            if (wanted(servers, upstreams, extra).keySet().stream().noneMatch(server::isRegistered)) {
                return extra;
            }
        }
    }

    private void register(ObjectName name, Object bean) {
        try {
            server.registerMBean(bean, name);
            registered.put(name, bean);
        } catch (JMException e) {
            // Only another proxy starting in this JVM at the same instant can take a name chosen free.
            throw new IllegalStateException("cannot register the MBean " + name + ": " + e.getMessage(), e);
        }
    }

    private void unregister(ObjectName name) {
        registered.remove(name);
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // already gone: someone unregistered it by hand (jconsole can); nothing left to do
        } catch (MBeanRegistrationException e) {
            throw new IllegalStateException("cannot unregister the MBean " + name + ": " + e.getMessage(), e);
        }
    }

    /** ObjectName values may not hold {@code , = : " * ?} or a line feed unquoted. */
    static String quoted(String value) {
        return value.isEmpty() || value.chars().anyMatch(c -> ",=:\"*?\n\\".indexOf(c) >= 0) ? ObjectName.quote(value) : value;
    }

    private static ObjectName name(String keys) {
        try {
            return new ObjectName(DOMAIN + ":" + keys);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException("a malformed MBean name " + keys, e);
        }
    }

    static List<String> listeners(ServerMetrics s) {
        List<String> out = new ArrayList<>();
        s.listeners.forEach(a -> out.add(Addresses.text(a)));
        return out;
    }
}
