package loomproxy.cli;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process's signal handlers (SPEC §7), installed before the first listener binds. SIGTERM and
 * SIGINT start an orderly shutdown. A JVM shutdown hook would run too, but the process would then
 * exit with 143 (128+15) instead of 0 after a clean drain (SPEC §1), so the signals are handled
 * directly through jdk.unsupported's sun.misc.Signal, which the JDK keeps for exactly this.
 *
 * <p>SIGHUP and SIGUSR1 would otherwise kill the JVM (their default action), cutting every session
 * on a {@code systemctl reload} or logrotate's {@code kill -USR1}; they are caught and handed to
 * {@code onOther}, which must never disturb a session.
 */
final class Signals {
    private Signals() {
    }

    /**
     * @param onTerminate SIGTERM, SIGINT
     * @param onOther     SIGHUP, SIGUSR1, by name ("HUP", "USR1")
     * @return the signals the process was started ignoring, by name: the JVM leaves a shutdown
     *         signal (HUP, INT, TERM) ignored when it found it so — {@code nohup} does that to SIGHUP,
     *         a shell's {@code &} to SIGINT — and its handler then never runs
     */
    static Set<String> install(Runnable onTerminate, Consumer<String> onOther) {
        Set<String> ignored = new TreeSet<>();
        for (String name : new String[] {"TERM", "INT"}) {
            if (Signal.handle(new Signal(name), signal -> onTerminate.run()) == SignalHandler.SIG_IGN) {
                ignored.add(name);
            }
        }
        for (String name : new String[] {"HUP", "USR1"}) {
            if (Signal.handle(new Signal(name), signal -> onOther.accept(name)) == SignalHandler.SIG_IGN) {
                ignored.add(name);
            }
        }
        return ignored;
    }
}
