package loomproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutated configuration files through the real loader, as {@code --check} reads them: each one is
 * either a configuration every part of which works at run time, or a {@link ConfigException} whose
 * every problem is one line naming this file and a line of it. Never another exception, a hang or
 * an OutOfMemoryError. The inputs are fixed (seeded), so a failure names the input that reproduces it.
 *
 * <p>A run takes a few seconds of CPU; the timeout is a guard against a hang only, wide because a
 * shared machine stretches wall time several times. Slowness per input is bounded by CPU time instead.
 */
class ConfigFuzzTest {
    private static final int INPUTS = 10_000;
    /**
     * CPU time (not wall time, which a busy machine stretches) one input may take: the quadratic cases
     * found so far took seconds on inputs of the sizes {@link ConfigMutator} makes; the fixed loader
     * takes a millisecond or two.
     */
    private static final long SLOW_INPUT_NANOS = 3_000_000_000L;
    /** Tries the minimizer spends on a failing input before printing what it has. */
    private static final int MINIMIZE_BUDGET = 5_000;

    @TempDir
    Path dir;

    /** What an input broke; {@code kind} is what the minimizer keeps constant while it cuts. */
    record Violation(String kind, String detail) {}

    /** A configuration came out, or problems did; {@code violation} when the contract did not hold. */
    record Result(boolean valid, Optional<Violation> violation) {}

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMutatedFileLoadsOrFailsWithOneLinePerProblem() {
        List<byte[]> seeds = ConfigSeeds.all();
        Path file = dir.resolve("fuzz.properties");
        for (byte[] seed : seeds) {
            assertEquals(new Result(true, Optional.empty()), check(file, seed), "a seed must be valid: " + printable(seed));
        }
        ConfigMutator mutator = new ConfigMutator(seeds);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int valid = 0;
        long slowest = 0;
        long started = System.nanoTime();
        long cpuStarted = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < INPUTS; i++) {
            byte[] input = mutator.input(i);
            long cpu = threads.getCurrentThreadCpuTime();
            Result r = check(file, input);
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            if (r.violation().isPresent()) {
                Violation v = r.violation().get();
                fail("input " + i + ": " + cut(v.detail()) + "\n  minimized: " + printable(minimize(file, input, v.kind())));
            }
            if (cpu > SLOW_INPUT_NANOS) {
                fail("input " + i + " took " + cpu / 1_000_000 + " ms of CPU, as if quadratic: " + printable(input));
            }
            valid += r.valid() ? 1 : 0;
            slowest = Math.max(slowest, cpu);
        }
        System.out.printf("config fuzz: %d inputs, %d valid, %d rejected; %d ms, %d ms of CPU (slowest input %d ms)%n",
                INPUTS, valid, INPUTS - valid, (System.nanoTime() - started) / 1_000_000,
                (threads.getCurrentThreadCpuTime() - cpuStarted) / 1_000_000, slowest / 1_000_000);
    }

    /** The contract for one input, written to {@code file}: whether it loaded, and how it broke the contract if it did. */
    static Result check(Path file, byte[] input) {
        write(file, input);
        try {
            return new Result(true, usable(ConfigLoader.load(file)));
        } catch (ConfigException e) {
            return new Result(false, e.problems().isEmpty()
                    ? Optional.of(new Violation("no problem", "ConfigException without a problem"))
                    : e.problems().stream().map(p -> oneLine(p, file, lineCount(input))).flatMap(Optional::stream).findFirst());
        } catch (Throwable t) { // the contract is "nothing but ConfigException", errors included
            StackTraceElement top = t.getStackTrace().length > 0 ? t.getStackTrace()[0] : null;
            return new Result(false, Optional.of(new Violation(t.getClass().getName() + " at " + top, t + "\n    at "
                    + String.join("\n    at ", Arrays.stream(t.getStackTrace()).limit(8).map(String::valueOf).toList()))));
        }
    }

    private static Optional<Violation> oneLine(Problem p, Path file, int lines) {
        String text = p.toString();
        // A problem with the whole file (line 0, no key) prints as FILE: message.
        String prefix = p.where().line() == 0 && p.key().isEmpty() ? file + ": " : file + ":" + p.where().line() + ": ";
        if (!p.where().file().equals(file) || p.where().line() < 0 || p.where().line() > lines || !text.startsWith(prefix)) {
            return Optional.of(new Violation("location", "problem not at FILE:LINE of this file: " + printable(text)));
        }
        // Stricter than "no line break": no control character at all (a terminal escape, say) either.
        if (text.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029')) {
            return Optional.of(new Violation("control", "problem spans lines or holds a control character: "
                    + printable(text)));
        }
        return Optional.empty();
    }

    /** A valid configuration must work at run time: no duration overflows, every size fits its use. */
    private static Optional<Violation> usable(ProxyConfig config) {
        try {
            config.shutdownTimeout().toNanos();
            for (ServerConfig s : config.servers()) {
                s.connectTimeout().toNanos();
                s.timeout().toNanos();
                s.nextUpstreamTimeout().toNanos();
                s.upstream().servers().forEach(u -> u.failTimeout().toNanos());
                if (s.bufferSize() < 1 || s.bufferSize() > Values.MAX_BUFFER_SIZE || s.uploadRate() < 0
                        || s.uploadRate() > Values.MAX_RATE || s.downloadRate() < 0 || s.downloadRate() > Values.MAX_RATE) {
                    return Optional.of(new Violation("bounds", "out of bounds: " + s));
                }
            }
            return Optional.empty();
        } catch (ArithmeticException e) {
            return Optional.of(new Violation("overflow", "a valid configuration overflows: " + e));
        }
    }

    /** Natural lines as the reader counts them: ended by LF, CR or CR LF. */
    private static int lineCount(byte[] input) {
        int lines = 1;
        for (int i = 0; i < input.length; i++) {
            boolean crlf = input[i] == '\r' && i + 1 < input.length && input[i + 1] == '\n';
            lines += (input[i] == '\n' || (input[i] == '\r' && !crlf)) ? 1 : 0;
        }
        return lines;
    }

    /** Cuts ever smaller pieces out of the input while it still fails the same way (delta debugging, simplified). */
    private static byte[] minimize(Path file, byte[] input, String kind) {
        byte[] best = input;
        int tries = 0;
        for (int chunk = Math.max(1, best.length / 2); chunk >= 1 && tries < MINIMIZE_BUDGET; chunk /= 2) {
            for (int at = 0; at < best.length && tries < MINIMIZE_BUDGET; tries++) {
                byte[] smaller = new byte[best.length - Math.min(chunk, best.length - at)];
                System.arraycopy(best, 0, smaller, 0, at);
                System.arraycopy(best, Math.min(best.length, at + chunk), smaller, at, smaller.length - at);
                if (check(file, smaller).violation().filter(v -> v.kind().equals(kind)).isPresent()) {
                    best = smaller;
                } else {
                    at += chunk;
                }
            }
        }
        return best;
    }

    /** Bytes as a Java string literal: printable ASCII as is, everything else escaped; a long one cut in the middle. */
    static String printable(byte[] bytes) {
        if (bytes.length > 400) {
            return printable(Arrays.copyOf(bytes, 300)) + " ... " + printable(Arrays.copyOfRange(bytes, bytes.length - 100,
                    bytes.length)) + " (" + bytes.length + " bytes)";
        }
        StringBuilder out = new StringBuilder("\"");
        for (byte b : bytes) {
            int c = b & 0xff;
            out.append(switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                default -> c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c);
            });
        }
        return out.append('"').toString();
    }

    private static String printable(String text) {
        return printable(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String cut(String text) {
        return text.length() > 2_000 ? text.substring(0, 2_000) + "..." : text;
    }

    private static void write(Path file, byte[] input) {
        try {
            Files.write(file, input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
