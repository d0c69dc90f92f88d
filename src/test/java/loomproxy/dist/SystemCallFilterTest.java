package loomproxy.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import loomproxy.testkit.Command;
import loomproxy.testkit.ProxyProcess;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The units' {@code SystemCallFilter=@system-service} and {@code ~@privileged @resources}: systemd
 * answers any other system call with EPERM, which the JVM may not survive. No systemd runs here,
 * so the launcher and the JVM run under strace, {@code --demo} (listen, mutual TLS, session reuse)
 * and a plain configuration (SIGHUP reload, SIGUSR1), each to SIGTERM and the class-data sharing
 * archive written at exit, and every system call they made
 * must be one the filter lets through, as systemd-analyze expands its groups. Skipped without
 * strace or systemd-analyze (.ci/run installs both).
 */
class SystemCallFilterTest {
    @TempDir
    Path dir;

    @Test
    void everySystemCallOfTheDemoPassesTheUnitsFilter() throws Exception {
        Path strace = tool("strace", "strace");
        Path analyze = tool("systemd-analyze", "systemd");
        Assumptions.assumeTrue(Command.run(dir, Duration.ofSeconds(30),
                List.of(strace.toString(), "-f", "-qq", "-o", "/dev/null", "true")).code() == 0,
                "strace cannot trace here (ptrace not permitted)");
        Map<String, List<String>> groups = groups(analyze);
        Set<String> allowed = expand("@system-service", groups);
        allowed.removeAll(expand("@privileged", groups));
        allowed.removeAll(expand("@resources", groups));

        Set<String> used = trace(strace, List.of("--demo"), output -> {
            waitFor(output, "self-check:");
            assertTrue(read(output).contains("session reuse works"), read(output));
        }, java -> { });
        Path config = Files.writeString(dir.resolve("serve.properties"),
                "server.main.listen = 127.0.0.1:0\nserver.main.proxy_pass = 127.0.0.1:9\n");
        used.addAll(trace(strace, List.of(config.toString()), output -> waitFor(output, "listening"), java -> {
            signal(java, "HUP");
            waitFor(dir.resolve("run.out"), "reloaded");
            signal(java, "USR1");
        }));
        assertTrue(used.contains("execve") && used.contains("accept") && used.contains("connect"), used.toString());
        Set<String> refused = new TreeSet<>(used);
        refused.removeAll(allowed);
        assertEquals(Set.of(), refused, "system calls the units' SystemCallFilter refuses; all used: " + used);
    }

    /** What the test does to a traced run: wait for its output, and signal its JVM. */
    interface Step<T> {
        void accept(T t) throws Exception;
    }

    /**
     * Runs bin/loomproxy ARGS under strace -c until {@code ready} passed on its output, then does
     * {@code drive} to its JVM, stops it with SIGTERM and returns the system calls made.
     */
    private Set<String> trace(Path strace, List<String> args, Step<Path> ready, Step<ProcessHandle> drive) throws Exception {
        Path summary = dir.resolve("strace.txt");
        Path output = dir.resolve("run.out");
        Path cache = dir.resolve("cache-" + System.nanoTime());
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(strace.toString(), "-f", "-qq", "-c", "-o", summary.toString(),
                Path.of("bin/loomproxy").toAbsolutePath().toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(Map.of("LOOMPROXY_JAVA", java, "LOOMPROXY_JAR", ProxyProcess.jar().toString(),
                "LOOMPROXY_CACHE_DIR", cache.toString()));
        Process traced = builder.start();
        try {
            ready.accept(output);
            // strace's child is the launcher, which became java by exec
            ProcessHandle jvm = traced.children().findFirst().orElseThrow(() -> new AssertionError(read(output)));
            drive.accept(jvm);
            jvm.destroy(); // SIGTERM
            assertTrue(traced.waitFor(60, TimeUnit.SECONDS), "no exit after SIGTERM: " + read(output));
        } finally {
            traced.descendants().forEach(ProcessHandle::destroyForcibly);
            traced.destroyForcibly();
        }
        try (Stream<Path> archives = Files.list(cache)) {
            assertEquals(1, archives.filter(f -> f.toString().endsWith(".jsa")).count(),
                    "the CDS archive written at exit is part of what was traced: " + read(output));
        }
        Set<String> used = new TreeSet<>();
        for (String line : Files.readAllLines(summary)) {
            String[] fields = line.trim().split("\\s+");
            String name = fields[fields.length - 1];
            if (fields.length >= 5 && fields[0].matches("[0-9.]+") && !name.equals("total")) {
                used.add(name);
            }
        }
        return used;
    }

    private static void waitFor(Path output, String text) {
        Wait.until(() -> read(output).contains(text), Duration.ofSeconds(120), () -> "no \"" + text + "\": " + read(output));
    }

    private void signal(ProcessHandle jvm, String name) throws Exception {
        Command.Result r = Command.run(dir, Duration.ofSeconds(30), List.of("kill", "-" + name, Long.toString(jvm.pid())));
        assertEquals(0, r.code(), r.output());
    }

    /** Every group `systemd-analyze syscall-filter` lists, each with its calls and nested groups. */
    private Map<String, List<String>> groups(Path analyze) throws Exception {
        Command.Result r = Command.run(dir, Duration.ofSeconds(60), List.of(analyze.toString(), "syscall-filter"));
        assertEquals(0, r.code(), r.output());
        Map<String, List<String>> groups = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : r.output().lines().toList()) {
            String entry = line.strip();
            if (line.startsWith("@")) {
                current = new ArrayList<>();
                groups.put(entry, current);
            } else if (current != null && !entry.isEmpty() && !entry.startsWith("#")) {
                current.add(entry);
            }
        }
        assertTrue(groups.containsKey("@system-service"), r.output());
        return groups;
    }

    private static Set<String> expand(String group, Map<String, List<String>> groups) {
        Set<String> calls = new TreeSet<>();
        for (String entry : groups.getOrDefault(group, List.of())) {
            if (entry.startsWith("@")) {
                calls.addAll(expand(entry, groups));
            } else {
                calls.add(entry);
            }
        }
        return calls;
    }

    private static Path tool(String name, String debianPackage) {
        var found = Command.onPath(name);
        Assumptions.assumeTrue(found.isPresent(), name + " is not installed (Debian: apt-get install " + debianPackage + ")");
        return found.get();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
