package loomproxy.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import loomproxy.testkit.Command;
import loomproxy.testkit.Jdks;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.Wait;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball as a server gets it (failsafe, after `package` made it): unpacked into an
 * empty directory, it runs on its bundled runtime alone, whatever JDK the machine has.
 */
class ReleaseIT {
    private static final Path TARBALL = Path.of(System.getProperty("loomproxy.release.tarball", "missing"));
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir
    static Path unpacked;

    private static Path home;

    @TempDir
    Path dir;

    @BeforeAll
    static void unpack() throws Exception {
        assertTrue(Files.isRegularFile(TARBALL), "no release tarball at " + TARBALL);
        Command.Result r = Command.run(unpacked, LIMIT, List.of("tar", "-xzf", TARBALL.toString()));
        assertEquals(0, r.code(), r.output());
        try (var entries = Files.list(unpacked)) {
            List<Path> top = entries.toList();
            assertEquals(1, top.size(), "one top directory: " + top);
            home = top.get(0);
        }
        System.out.printf("%s: %.1f MB%n", TARBALL.getFileName(), Files.size(TARBALL) / 1e6);
    }

    @Test
    void holdsWhatAServerNeedsReadableByItsUser() throws Exception {
        for (String file : List.of("bin/loomproxy", "lib/loomproxy.jar", "runtime/bin/java", "runtime/release",
                "runtime/lib/server/classes.jsa", "systemd/loomproxy.service", "systemd/loomproxy@.service",
                "conf/loomproxy.properties", "LICENSE", "README.md", "INSTALL.md")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/loomproxy")));
        assertTrue(Files.isExecutable(home.resolve("runtime/bin/java")));
        // unpacked by root into /opt, run by the loomproxy user: every entry must be readable by others
        Command.Result listing = Command.run(dir, LIMIT, List.of("tar", "-tvzf", TARBALL.toString()));
        for (String line : listing.output().lines().toList()) {
            String mode = line.substring(0, 10);
            assertTrue(mode.charAt(7) == 'r' || mode.charAt(0) == 'l', line);
            if (mode.charAt(0) == 'd' || mode.charAt(3) == 'x') {
                assertEquals('x', mode.charAt(9), line);
            }
            assertTrue(line.contains(" 0/0 "), "owned by root, not by whoever built it: " + line);
        }
    }

    @Test
    void theRuntimeHasTheModulesTheJarNeeds() throws Exception {
        Set<String> runtime = modules(Files.readString(home.resolve("runtime/release")));
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int code = jdeps.run(new PrintWriter(out), new PrintWriter(out), "--print-module-deps", "--ignore-missing-deps",
                "--multi-release", "21", home.resolve("lib/loomproxy.jar").toString());
        assertEquals(0, code, out.toString());
        Set<String> needed = new TreeSet<>(Arrays.asList(out.toString().strip().split(",")));
        needed.removeAll(runtime);
        assertEquals(Set.of(), needed, "modules the jar uses that the runtime lacks: add them to release.modules in pom.xml");
        for (String wanted : System.getProperty("loomproxy.release.modules").split(",")) {
            assertTrue(runtime.contains(wanted), wanted);
        }
        for (String notNeeded : List.of("java.desktop", "java.xml", "java.sql", "jdk.compiler", "jdk.jshell")) {
            assertTrue(!runtime.contains(notNeeded), notNeeded + " in " + runtime);
        }
    }

    @Test
    void theLauncherPicksTheBundledRuntimeOverAnyJdk() throws Exception {
        Command.Result r = launcher(Map.of("LOOMPROXY_PRINT_JAVA", "1"));
        assertEquals(0, r.code(), r.output());
        assertEquals(home.resolve("runtime/bin/java").toString(), r.output().strip());
        Command.Result version = launcher(Map.of(), "--version");
        assertEquals(0, version.code(), version.output());
        assertTrue(version.output().matches("loomproxy \\S+ \\(commit \\S+, Java \\S+\\)\\n"), version.output());
    }

    /** The example configuration with its certificate and key names pointed at files that exist. */
    @Test
    void checksTheExampleConfiguration() throws Exception {
        MutualTls tls = MutualTls.in(dir, "release", 1);
        String example = Files.readString(home.resolve("conf/loomproxy.properties"))
                .replace("/etc/ssl/certs/backend.crt", tls.client().chainPem().toString())
                .replace("/etc/ssl/certs/backend.key", tls.client().keyPem().toString())
                .replace("/etc/ssl/certs/trusted_ca_cert.crt", tls.trusted().toString());
        Path config = Files.writeString(dir.resolve("loomproxy.properties"), example);
        // --check resolves the servers' names, as nginx -t does: the example's come from a hosts
        // file here, never from DNS (the launcher's default JVM options, plus the file).
        Path hosts = Files.writeString(dir.resolve("hosts"),
                "127.0.0.1 backend1.example.com\n127.0.0.2 backend2.example.com\n127.0.0.3 backend3.example.com\n");
        long start = System.nanoTime();
        Command.Result r = launcher(Map.of("LOOMPROXY_JAVA_OPTS", "-XX:+UseSerialGC -Djdk.pollerMode=1 -Djdk.net.hosts.file=" + hosts),
                "--check", config.toString());
        System.out.printf("--check of the example: %d ms (first run, writes the CDS archive)%n",
                (System.nanoTime() - start) / 1_000_000);
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("configuration " + config + " is ok"), r.output());
    }

    @Test
    void runsTheDemoOnTheBundledRuntime() throws Exception {
        Path output = dir.resolve("demo.out");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/loomproxy").toString(), "--demo")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment(Map.of()));
        long start = System.nanoTime();
        Process demo = builder.start();
        try {
            Wait.until(() -> read(output).contains("listening") || !demo.isAlive(), LIMIT, () -> read(output));
            System.out.printf("--demo listening after %d ms%n", (System.nanoTime() - start) / 1_000_000);
            Wait.until(() -> read(output).contains("self-check:") || !demo.isAlive(), LIMIT, () -> read(output));
            assertTrue(read(output).contains("session reuse works"), read(output));
            // the launcher became java by exec: the process itself shows which binary runs
            assertEquals(home.resolve("runtime/bin/java").toRealPath(), Path.of("/proc", Long.toString(demo.pid()), "exe").toRealPath());
            demo.destroy(); // SIGTERM: the demo drains and exits 0
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), read(output));
            assertEquals(0, demo.exitValue(), read(output));
        } finally {
            demo.destroyForcibly();
        }
    }

    @Test
    void theJarOnAnOldJavaSaysWhatToInstall() throws Exception {
        Optional<Path> old = Jdks.olderThan(21);
        Assumptions.assumeTrue(old.isPresent(), "no JDK older than 21 under /usr/lib/jvm");
        Command.Result r = Command.run(dir, LIMIT, List.of(old.get().toString(), "-jar",
                home.resolve("lib/loomproxy.jar").toString(), "--version"));
        assertEquals(2, r.code(), r.output());
        assertEquals(1, r.output().lines().count(), r.output());
        assertTrue(r.output().startsWith("loomproxy: needs Java 21 or later, this is Java "), r.output());
    }

    private Command.Result launcher(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/loomproxy").toString()));
        command.addAll(List.of(args));
        return Command.run(dir, LIMIT, environment(env), command);
    }

    /**
     * A JDK in JAVA_HOME and first on PATH, as on a developer's machine: the release must not use it.
     * Nothing of the caller's LOOMPROXY_* settings leaks in.
     */
    private Map<String, String> environment(Map<String, String> extra) {
        Path jdk = Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", jdk.toString());
        env.put("PATH", jdk.resolve("bin") + ":/usr/bin:/bin");
        env.put("LOOMPROXY_CACHE_DIR", dir.resolve("cache").toString());
        env.put("LOOMPROXY_JAVA", "");
        env.put("LOOMPROXY_JAR", "");
        env.put("LOOMPROXY_JAVA_OPTS", "");
        env.putAll(extra);
        return env;
    }

    private static Set<String> modules(String release) {
        for (String line : release.lines().toList()) {
            if (line.startsWith("MODULES=")) {
                return new TreeSet<>(Arrays.asList(line.substring("MODULES=".length()).replace("\"", "").split(" ")));
            }
        }
        throw new AssertionError("no MODULES line in the runtime's release file");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
