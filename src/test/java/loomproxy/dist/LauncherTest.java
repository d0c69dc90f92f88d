package loomproxy.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import loomproxy.testkit.Command;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/loomproxy laid out as a release lays it out (bin/, lib/, runtime/), with a stand-in java
 * that prints its arguments: which java it picks, and how it names and replaces its class-data
 * sharing archives.
 */
class LauncherTest {
    @TempDir
    Path dir;

    private Path release;
    private Path cache;

    @BeforeEach
    void layOut() throws IOException {
        release = dir.resolve("loomproxy-1.0");
        Files.createDirectories(release.resolve("bin"));
        Files.copy(Path.of("bin/loomproxy"), release.resolve("bin/loomproxy"));
        fakeJava(release.resolve("runtime"), 25);
        Files.createDirectories(release.resolve("lib"));
        Files.writeString(release.resolve("lib/loomproxy.jar"), "jar one");
        cache = dir.resolve("cache");
    }

    @Test
    void theBundledRuntimeComesBeforeJavaHomeAndPath() throws Exception {
        String bundled = release.resolve("runtime/bin/java").toString();
        assertEquals(bundled + "\n", launch(Map.of("LOOMPROXY_PRINT_JAVA", "1")));
        // a symbolic link to the launcher (/usr/local/bin/loomproxy) finds it too
        Path link = Files.createSymbolicLink(dir.resolve("loomproxy"), release.resolve("bin/loomproxy"));
        assertEquals(bundled + "\n", run(link, Map.of("LOOMPROXY_PRINT_JAVA", "1")));
        // only an explicit LOOMPROXY_JAVA wins over it
        Path mine = fakeJava(dir.resolve("mine"), 21);
        assertEquals(mine + "\n", launch(Map.of("LOOMPROXY_PRINT_JAVA", "1", "LOOMPROXY_JAVA", mine.toString())));
    }

    /** A java named by hand is meant: one that cannot run loomproxy is an error, never quietly replaced. */
    @Test
    void anUnusableLoomproxyJavaIsAnErrorNotPassedOver() throws Exception {
        Path old = fakeJava(dir.resolve("old"), 17);
        Path launcher = release.resolve("bin/loomproxy");
        assertEquals("loomproxy: LOOMPROXY_JAVA=" + old + " is Java 17, not a Java 21 or later: point it at a JDK 21+"
                + " bin/java, or unset it to let loomproxy look for one\n",
                run(2, launcher, Map.of("LOOMPROXY_PRINT_JAVA", "1", "LOOMPROXY_JAVA", old.toString())));
        String missing = dir.resolve("nothing/bin/java").toString();
        assertTrue(run(2, launcher, Map.of("LOOMPROXY_JAVA", missing)).startsWith(
                "loomproxy: LOOMPROXY_JAVA=" + missing + " is no executable, not a Java 21 or later"));
    }

    @Test
    void aBundledRuntimeOlderThan21IsPassedOver() throws Exception {
        fakeJava(release.resolve("runtime"), 17);
        assertEquals(jdk().resolve("bin/java") + "\n", launch(Map.of("LOOMPROXY_PRINT_JAVA", "1")), "JAVA_HOME's");
    }

    @Test
    void oneArchivePerModeAndJarTheOldOneRemoved() throws Exception {
        Files.createDirectories(cache);
        Path legacy = Files.writeString(cache.resolve("-V-1234.jsa"), "a launcher before this one named it after -V");
        Path check = archive(launch(Map.of(), "--check", "x.properties"));
        assertTrue(check.getFileName().toString().startsWith("check."), check.toString());
        assertFalse(Files.exists(legacy), "old-style archive left behind");
        Files.writeString(check, "archive");
        assertEquals(check, archive(launch(Map.of(), "-t", "x.properties")), "-t is --check");
        Path serve = archive(launch(Map.of(), "x.properties"));
        assertTrue(serve.getFileName().toString().startsWith("serve."), serve.toString());
        Path demo = archive(launch(Map.of(), "--demo"));
        assertTrue(demo.getFileName().toString().startsWith("demo."), demo.toString());

        // another installation (another jar location) keeps its own archive
        Path other = dir.resolve("other.jar");
        Files.writeString(other, "jar one");
        Path otherCheck = archive(launch(Map.of("LOOMPROXY_JAR", other.toString()), "--check", "x.properties"));
        Files.writeString(otherCheck, "archive");

        // a new build of the jar: a new archive, and the one it replaces is gone
        Files.writeString(release.resolve("lib/loomproxy.jar"), "jar two");
        Path rebuilt = archive(launch(Map.of(), "--check", "x.properties"));
        assertFalse(rebuilt.equals(check));
        assertFalse(Files.exists(check), "stale archive left behind");
        assertTrue(Files.exists(otherCheck), "another installation's archive removed");
    }

    @Test
    void versionHelpAndUnknownOptionsGetNoArchive() throws Exception {
        for (String option : List.of("--version", "-v", "-V", "--help", "-h", "--frobnicate")) {
            String args = launch(Map.of(), option);
            assertFalse(args.contains("SharedArchiveFile"), option + ": " + args);
            assertTrue(args.endsWith("-jar\n" + release.resolve("lib/loomproxy.jar") + "\n" + option + "\n"), args);
        }
        if (Files.exists(cache)) {
            try (Stream<Path> files = Files.list(cache)) {
                assertEquals(List.of(), files.toList(), "nothing written to the cache");
            }
        }
    }

    /**
     * Without a Java 21 anywhere: one line, exit 2, naming what is too old and where a Java 21
     * comes from on this distribution. The machine's JDKs are hidden in a mount namespace of the
     * launcher's own (root only; skipped elsewhere), /etc/os-release replaced by each case's.
     */
    @Test
    void withoutJava21ItSaysWhereOneComesFrom() throws Exception {
        Assumptions.assumeTrue(Command.onPath("unshare").isPresent() && Command.run(dir, Duration.ofSeconds(30),
                List.of("unshare", "--mount", "true")).code() == 0, "cannot make a mount namespace here (needs root)");
        Files.delete(release.resolve("runtime/bin/java"));
        Path java17 = fakeJava(dir.resolve("jdk17"), 17);
        Map<String, String> cases = Map.of(
                "ID=debian\nVERSION_ID=\"12\"\n", "Debian 12 has no Java 21 package, so Eclipse Temurin 21 from Adoptium's apt repository",
                "ID=debian\nVERSION_ID=\"13\"\n", "Install one: apt-get install openjdk-21-jre-headless.",
                "ID=ubuntu\nVERSION_ID=\"24.04\"\n", "Install one: apt-get install openjdk-21-jre-headless.",
                "ID=fedora\nVERSION_ID=41\n", "Install one: dnf install java-21-openjdk-headless.",
                "ID=rocky\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n", "Install one: dnf install java-21-openjdk-headless.");
        for (var c : cases.entrySet()) {
            Path osRelease = Files.writeString(dir.resolve("os-release"), c.getKey());
            String hide = "for d in /usr/lib/jvm /usr/java /opt /usr/local; do [ -d $d ] && mount -t tmpfs none $d; done; "
                    + "mount --bind " + osRelease + " /etc/os-release && exec \"$0\" --version";
            Command.Result r = Command.run(dir, Duration.ofSeconds(30),
                    Map.of("JAVA_HOME", java17.getParent().getParent().toString(), "PATH", "/usr/bin:/bin",
                            "HOME", dir.toString(), "LOOMPROXY_JAVA", ""),
                    List.of("unshare", "--mount", "sh", "-c", hide, release.resolve("bin/loomproxy").toString()));
            assertEquals(2, r.code(), r.output());
            assertEquals(1, r.output().lines().count(), r.output());
            assertTrue(r.output().startsWith("loomproxy: needs Java 21 or later; found only " + java17 + " (Java 17); "),
                    r.output());
            assertTrue(r.output().contains(c.getValue()), c.getKey() + " -> " + r.output());
            assertTrue(r.output().contains("use the release tarball"), r.output());
        }
    }

    private Path archive(String args) {
        Optional<String> option = args.lines().filter(a -> a.startsWith("-XX:SharedArchiveFile=")).findFirst();
        assertTrue(option.isPresent(), args);
        Path file = Path.of(option.get().substring("-XX:SharedArchiveFile=".length()));
        assertEquals(cache, file.getParent());
        return file;
    }

    /** A java that prints one argument a line, in HOME/bin/java, with HOME/release naming its version. */
    private static Path fakeJava(Path home, int feature) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + feature + ".0.1\"\n");
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java;
    }

    private String launch(Map<String, String> env, String... args) throws Exception {
        return run(release.resolve("bin/loomproxy"), env, args);
    }

    /** Runs the launcher with a real JDK in JAVA_HOME and on PATH, which it must not prefer. */
    private String run(Path launcher, Map<String, String> env, String... args) throws Exception {
        return run(0, launcher, env, args);
    }

    private String run(int exitCode, Path launcher, Map<String, String> env, String... args) throws Exception {
        Path jdk = jdk();
        ProcessBuilder builder = new ProcessBuilder(concat(launcher.toString(), args)).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", jdk.toString());
        builder.environment().put("PATH", jdk.resolve("bin") + ":/usr/bin:/bin");
        builder.environment().put("LOOMPROXY_CACHE_DIR", cache.toString());
        builder.environment().remove("LOOMPROXY_JAVA");
        builder.environment().remove("LOOMPROXY_JAR");
        builder.environment().remove("LOOMPROXY_JAVA_OPTS");
        builder.environment().putAll(env);
        Process p = builder.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        assertEquals(exitCode, p.exitValue(), out);
        return out;
    }

    /** The JDK running the tests. */
    private static Path jdk() {
        return Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();
    }

    private static List<String> concat(String first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }
}
