package loomproxy.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.regex.Pattern;

/**
 * The oracle and tally of one seeded fuzz target: every input must either be accepted or be refused
 * with the module's checked exception and a one-line message that names the file where there is one.
 * Anything else (a RuntimeException, a StackOverflowError, an OutOfMemoryError) fails the test with
 * the input shrunk to what still provokes it, ready to paste into a regression test; so does an input
 * that takes seconds of CPU.
 *
 * @param <T> the input type: byte[] for files and DER, String for configuration values
 */
public final class Fuzz<T> {
    /** CPU time besides wall time: where the suite shares its machine, wall time measures the neighbours too. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** Any line break (\n, \r and the rarer ones: VT, FF, NEL, U+2028, U+2029): a message is one log line. */
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");

    /**
     * CPU time one input may take, so that quadratic work fails the test rather than only slowing it: the
     * slow inputs fixed so far took one to five seconds, the parsers now take a few milliseconds. CPU time,
     * because a busy machine stretches wall time several times.
     */
    private static final long SLOW_INPUT_CPU_NANOS = 2_000_000_000L;
    /** How much of a slow input the failure shows; slow inputs are not shrunk, each try would be slow too. */
    private static final int SHOWN = 2_000;

    /** The code under test, given one input. */
    @FunctionalInterface
    public interface Target<T> {
        void accept(T input) throws Exception;
    }

    private final String name;
    private final Class<? extends Exception> refusal;
    private final Shrink<T> shrink;
    private int inputs;
    private int valid;
    private int rejected;
    private long nanos;
    private long cpuNanos;
    private long slowestNanos;
    private int slowestLength;

    /**
     * @param name    the target, for the report line and failures
     * @param refusal the checked exception that is the module's way of saying no
     */
    public Fuzz(String name, Class<? extends Exception> refusal, Shrink<T> shrink) {
        this.name = name;
        this.refusal = refusal;
        this.shrink = shrink;
    }

    /** Runs one input; {@code file} must appear in a refusal's message, or is null where there is no file. */
    public void check(T input, String file, Target<T> target) {
        long start = System.nanoTime();
        long startCpu = CPU.getCurrentThreadCpuTime();
        Throwable problem = problem(input, file, target);
        long elapsed = System.nanoTime() - start;
        long cpu = CPU.getCurrentThreadCpuTime() - startCpu;
        nanos += elapsed;
        cpuNanos += cpu;
        if (elapsed > slowestNanos) {
            slowestNanos = elapsed;
            slowestLength = shrink.length(input);
        }
        inputs++;
        if (problem == null && cpu > SLOW_INPUT_CPU_NANOS) {
            String literal = shrink.literal(input);
            throw new AssertionError(String.format("%s: input %d took %d ms of CPU (length %d): %s", name, inputs,
                    cpu / 1_000_000, shrink.length(input), literal.substring(0, Math.min(SHOWN, literal.length()))));
        }
        if (problem != null) {
            T smallest = Shrink.smallest(input, shrink, candidate -> sameProblem(problem, problem(candidate, file, target)));
            throw new AssertionError(String.format("%s: input %d: %s%nshrunk input: %s", name, inputs, problem,
                    shrink.literal(smallest)), problem);
        }
    }

    /** Null when the outcome is allowed; counts valid and rejected inputs. */
    private Throwable problem(T input, String file, Target<T> target) {
        try {
            target.accept(input);
            valid++;
            return null;
        } catch (Throwable t) {
            if (!refusal.isInstance(t)) {
                return t;
            }
            String message = t.getMessage();
            if (message == null || message.isEmpty() || LINE_BREAK.matcher(message).find()) {
                return new AssertionError("not a one-line message: " + Shrink.STRINGS.literal(String.valueOf(message)), t);
            }
            if (file != null && !message.contains(file)) {
                return new AssertionError("the message does not name " + file + ": " + message, t);
            }
            rejected++;
            return null;
        }
    }

    private static boolean sameProblem(Throwable original, Throwable candidate) {
        return candidate != null && candidate.getClass() == original.getClass()
                && (!(original instanceof AssertionError) || messageStart(original).equals(messageStart(candidate)));
    }

    private static String messageStart(Throwable t) {
        String message = String.valueOf(t.getMessage());
        return message.substring(0, Math.min(20, message.length()));
    }

    /** Asserts a target-specific property of the outcome, such as "never shows the passphrase". */
    public static void require(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /**
     * One line on stdout (the surefire report), never an assertion: inputs, valid, rejected, and the time
     * spent in the target (making the inputs not included).
     */
    public void report() {
        System.out.printf("fuzz %s: %d inputs, %d valid, %d rejected, %d ms, %d ms CPU (slowest input %d ms, length %d)%n",
                name, inputs, valid, rejected, nanos / 1_000_000, cpuNanos / 1_000_000, slowestNanos / 1_000_000, slowestLength);
    }

    /** Fails unless enough inputs ran and some were valid: a broken generator must not pass as a quiet fuzzer. */
    public void requireAtLeast(int minimumInputs, int minimumValid) {
        require(inputs >= minimumInputs, name + ": only " + inputs + " inputs");
        require(valid >= minimumValid, name + ": only " + valid + " valid inputs");
    }
}
