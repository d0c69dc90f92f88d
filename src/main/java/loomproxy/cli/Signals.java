package loomproxy.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start an orderly shutdown. A JVM shutdown hook would run too, but the process
 * would then exit with 143 (128+15) instead of 0 after a clean drain (SPEC §1), so the signals are
 * handled directly through jdk.unsupported's sun.misc.Signal, which the JDK keeps for exactly this.
 */
final class Signals {
    private Signals() {
    }

    static void onTerminate(Runnable action) {
        Signal.handle(new Signal("TERM"), signal -> action.run());
        Signal.handle(new Signal("INT"), signal -> action.run());
    }
}
