package loomproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import loomproxy.testkit.ProxyProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up failures that come from the JVM's setup rather than the file: still one line per
 * problem, with the usual exit code, never a stack trace (the defect 8: an
 * IllegalStateException from TLS set-up escaped main with a trace).
 */
class StartupFailureTest {
    @TempDir
    Path dir;

    @Test
    void anUnreadableJdkTrustStoreIsAOneLineConfigurationError() throws Exception {
        Path config = dir.resolve("loomproxy.properties");
        Files.writeString(config, """
                server.main.listen = 127.0.0.1:0
                server.main.proxy_pass = 127.0.0.1:9
                proxy_ssl = on
                """);
        Path garbage = Files.writeString(dir.resolve("not-a-keystore.jks"), "not a key store\n");
        for (String property : List.of("javax.net.ssl.trustStore", "javax.net.ssl.keyStore")) {
            ProxyProcess.Outcome check = ProxyProcess.run(List.of("-D" + property + "=" + garbage), "--check", config.toString());
            assertEquals(1, check.exitCode(), check.output());
            List<String> lines = check.output().lines().toList();
            assertEquals(2, lines.size(), check.output());
            assertTrue(lines.get(0).startsWith("loomproxy: [emerg] " + config + ":3: proxy_ssl: the JDK's default TLS context"
                    + " cannot be created ("), lines.get(0));
            assertTrue(lines.get(0).endsWith("check the javax.net.ssl.* system properties and the JDK's java.security"),
                    lines.get(0));
            ProxyProcess.Outcome start = ProxyProcess.run(List.of("-D" + property + "=" + garbage), config.toString());
            assertEquals(1, start.exitCode(), start.output());
            assertTrue(!start.output().contains("\tat "), start.output());
        }
    }
}
