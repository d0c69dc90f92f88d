package loomproxy.cli;

/**
 * JVM settings that the JDK reads lazily, set by {@link Main#main} before the first socket, so a
 * plain {@code java -jar loomproxy.jar} gets them as well as bin/loomproxy does. A value the user
 * gives with {@code -D} wins.
 *
 * <p>{@code jdk.pollerMode=1}: the JDK reads it when a virtual thread first blocks on a socket. In
 * mode 1, platform poller threads wake a blocked virtual thread directly; in JDK 22+'s default,
 * mode 2, they wake a virtual sub-poller, which then wakes it: one hand-off more per read (64 B
 * ping-pong p50 185 to 160 µs and about a fifth less CPU per round trip, jmh/README.md). What cannot
 * be set from inside, the collector and the heap's sizes, is on the command lines in README.md,
 * bin/loomproxy and the units.
 */
final class JvmDefaults {
    static final String POLLER_MODE = "jdk.pollerMode";

    private JvmDefaults() {
    }

    static void apply() {
        if (System.getProperty(POLLER_MODE) == null) {
            System.setProperty(POLLER_MODE, "1");
        }
    }
}
