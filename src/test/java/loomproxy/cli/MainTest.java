package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: messages and exit codes (SPEC §1). */
class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new CountDownLatch(0), (onTerminate, onOther) -> { });
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path write(String text) throws Exception {
        Path file = dir.resolve("loomproxy.properties");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void versionAndHelp() {
        assertEquals(0, run("--version"));
        // the build writes target/classes/loomproxy/cli/build.properties; "unknown" where git is not
        assertTrue(out().matches("loomproxy \\S+ \\(commit ([0-9a-f]{7,}(-dirty)?|unknown), Java \\S+\\)\n"), out());
        assertFalse(out().startsWith("loomproxy dev "), "build.properties missing from the classes: " + out());
        assertEquals(0, run("--help"));
        assertTrue(out().contains("--check CONFIG"), out());
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(2, run());
        assertEquals(2, run("--frobnicate"));
        assertEquals(2, run("--check"));
        assertEquals(2, run("a.properties", "b.properties"));
        assertTrue(err().contains("unknown option --frobnicate"), err());
    }

    @Test
    void checkAcceptsAValidFile() throws Exception {
        Path file = write("server.main.listen = 127.0.0.1:0\nserver.main.proxy_pass = 127.0.0.1:9\n");
        assertEquals(0, run("--check", file.toString()));
        assertEquals("configuration " + file + " is ok\n", out());
        assertEquals(0, run("-t", file.toString()));
    }

    @Test
    void checkReportsEveryProblemWithFileAndLine() throws Exception {
        Path file = write("""
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = 127.0.0.1:9
                proxy_ssl_verfy = on
                proxy_connect_timeout = soon
                proxy_ssl = on
                proxy_ssl_trusted_certificate = missing.pem
                """);
        assertEquals(1, run("--check", file.toString()));
        String text = err();
        assertTrue(text.contains(file + ":3: proxy_ssl_verfy: unknown directive"), text);
        assertTrue(text.contains("did you mean proxy_ssl_verify?"), text);
        assertTrue(text.contains(file + ":4: proxy_connect_timeout: "), text);
        assertFalse(text.contains("Exception"), "no stack traces: " + text);
    }

    @Test
    void checkReportsUnreadableTlsFilesAgainstTheirDirective() throws Exception {
        Path file = write("""
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = 127.0.0.1:9
                proxy_ssl = on
                proxy_ssl_trusted_certificate = missing.pem
                proxy_ssl_ciphers = NOTHING-AT-ALL
                """);
        assertEquals(1, run("--check", file.toString()));
        String text = err();
        assertTrue(text.contains(file + ":4: proxy_ssl_trusted_certificate: cannot read "), text);
        assertTrue(text.contains("missing.pem"), text);
        assertTrue(text.contains(file + ":5: proxy_ssl_ciphers: "), text);
        assertTrue(text.contains("test failed (2 errors)"), text);
    }

    @Test
    void oldProtocolsWarnNamingTheJdkPolicy() throws Exception {
        Path file = write("""
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = 127.0.0.1:9
                proxy_ssl = on
                proxy_ssl_verify = off
                proxy_ssl_protocols = TLSv1 TLSv1.1 TLSv1.2
                """);
        assertEquals(0, run("--check", file.toString()));
        assertTrue(err().contains(file + ":5: proxy_ssl_protocols: TLSv1 TLSv1.1 are disabled by the JDK's security policy"), err());
        assertTrue(err().contains("using TLSv1.2"), err());
    }

    @Test
    void onlyDisabledProtocolsIsAnError() throws Exception {
        Path file = write("""
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = 127.0.0.1:9
                proxy_ssl = on
                proxy_ssl_protocols = TLSv1
                """);
        assertEquals(1, run("--check", file.toString()));
        assertTrue(err().contains(":4: proxy_ssl_protocols: TLSv1 is disabled by the JDK's security policy"), err());
    }

    @Test
    void portInUseExitsWith3AndOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = write("server.main.listen = 127.0.0.1:" + taken.getLocalPort() + "\nserver.main.proxy_pass = 127.0.0.1:9\n");
            assertEquals(3, run(file.toString()));
            assertTrue(err().contains("bind() to 127.0.0.1:" + taken.getLocalPort() + " failed"), err());
            assertFalse(err().contains("\tat "), "no stack trace: " + err());
        }
    }

    @Test
    void runsUntilStoppedAndExits0() throws Exception {
        Path file = write("server.main.listen = 127.0.0.1:0\nserver.main.proxy_pass = 127.0.0.1:9\nerror_log = stderr info\n");
        assertEquals(0, run(file.toString()));
        assertTrue(err().contains("[info] server main listening on"), err());
    }

    @Test
    void unwritableLogIsNamedAtItsLine() throws Exception {
        Path file = write("server.main.listen = 127.0.0.1:0\nserver.main.proxy_pass = 127.0.0.1:9\n"
                + "access_log = " + dir.resolve("no/such/dir/access.log") + "\n");
        assertEquals(1, run("--check", file.toString()));
        assertTrue(err().contains(file + ":3: access_log: cannot open "), err());
    }
}
