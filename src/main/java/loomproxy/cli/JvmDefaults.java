package loomproxy.cli;

import java.security.Security;

/**
 * JVM settings that the JDK reads lazily, set by {@link Main#main} before the first socket, so a
 * plain {@code java -jar loomproxy.jar} gets them as well as bin/loomproxy does. A poller mode the
 * user gives with {@code -D} wins.
 *
 * <p>{@code jdk.pollerMode=1}: the JDK reads it when a virtual thread first blocks on a socket. In
 * mode 1, platform poller threads wake a blocked virtual thread directly; in JDK 22+'s default,
 * mode 2, they wake a virtual sub-poller, which then wakes it: one hand-off more per read (64 B
 * ping-pong p50 185 to 160 µs and about a fifth less CPU per round trip, jmh/README.md). The JDK's
 * address cache: {@link #boundAddressCache}. What cannot be set from inside, the collector and the
 * heap's sizes, is on the command lines in README.md, bin/loomproxy and the units.
 */
final class JvmDefaults {
    static final String POLLER_MODE = "jdk.pollerMode";
    /**
     * JSSE takes a TLS peer's TCP close without close_notify for an orderly end by default, so an
     * upstream cut off mid-stream (a crash, a middlebox) looked whole to the client (QA). With this,
     * JSSE says so and the session resets the client instead (proxy/Session). Read once, when the
     * first SSLSocket class loads.
     */
    static final String REQUIRE_CLOSE_NOTIFY = "com.sun.net.ssl.requireCloseNotify";

    private JvmDefaults() {
    }

    static void apply() {
        if (System.getProperty(POLLER_MODE) == null) {
            System.setProperty(POLLER_MODE, "1");
        }
        if (System.getProperty(REQUIRE_CLOSE_NOTIFY) == null) {
            System.setProperty(REQUIRE_CLOSE_NOTIFY, "true");
        }
        boundAddressCache();
    }

    /**
     * The JDK caches every answer of its resolver, for 30 s by default and, with a security
     * manager's policy or a java.security edit, for ever. loomproxy looks names up only when a
     * configuration is loaded and every resolver_valid for servers with resolve (SPEC §11), and each
     * of those lookups must see DNS as it is then: so the cache keeps nothing, positive or negative.
     * This must run before the first lookup, when the JDK reads these properties once.
     */
    static void boundAddressCache() {
        Security.setProperty("networkaddress.cache.ttl", "0");
        Security.setProperty("networkaddress.cache.negative.ttl", "0");
    }
}
