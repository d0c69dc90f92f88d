package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import loomproxy.testkit.Jdks;
import loomproxy.testkit.ProxyProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The jar's entry class: on a Java older than 21, one line naming what to install and the
 * launcher's exit code for a missing Java, instead of the JVM's UnsupportedClassVersionError and
 * exit 1 (the configuration-error code), as `java -jar` on Debian 12's default Java 17 gave.
 */
class StartTest {
    @Test
    void theEntryClassIsCompiledForJava8() throws IOException {
        try (InputStream in = Start.class.getResourceAsStream("Start.class");
             DataInputStream data = new DataInputStream(in)) {
            assertEquals(0xCAFEBABE, data.readInt());
            data.readUnsignedShort(); // minor
            assertEquals(52, data.readUnsignedShort(), "class file major version: 52 is Java 8");
        }
    }

    @Test
    void readsTheSpecificationVersionOfEveryJava() {
        assertEquals(8, Start.feature("1.8"));
        assertEquals(17, Start.feature("17"));
        assertEquals(21, Start.feature("21"));
        assertEquals(25, Start.feature("25"));
        assertEquals(Integer.MAX_VALUE, Start.feature("whatever"), "unreadable: let the start go on");
        assertEquals(Integer.MAX_VALUE, Start.feature(null));
    }

    @Test
    void anOldJavaSaysWhatToInstallInOneLine() throws Exception {
        Optional<Path> old = Jdks.olderThan(21);
        Assumptions.assumeTrue(old.isPresent(), "no JDK older than 21 under /usr/lib/jvm to run the jar with");
        Result r = java(old.get(), "-jar", ProxyProcess.jar().toString(), "--version");
        assertEquals(Start.NO_JAVA, r.code, r.err);
        assertEquals("", r.out);
        List<String> lines = r.err.lines().toList();
        assertEquals(1, lines.size(), r.err);
        assertTrue(lines.get(0).startsWith("loomproxy: needs Java 21 or later, this is Java " + feature(old.get()) + " ("),
                lines.get(0));
        assertTrue(lines.get(0).contains("INSTALL.md"), lines.get(0));
    }

    @Test
    void aCurrentJavaRunsLoomproxy() throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Result r = java(java, "-jar", ProxyProcess.jar().toString(), "--version");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("loomproxy "), r.out);
    }

    private static int feature(Path java) {
        return Jdks.feature(java.getParent().getParent());
    }

    private record Result(int code, String out, String err) {}

    private static Result java(Path java, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 60 s");
        }
        return new Result(p.exitValue(), out, err);
    }
}
