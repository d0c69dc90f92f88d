package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real OpenSSL TLS peer: {@code openssl s_server -rev} (echoes each line reversed) on a free
 * loopback port. With {@code -naccept N} it exits after N connections and prints its session cache
 * statistics, which tell from the server's side how many handshakes resumed a session.
 */
public final class OpensslServer implements AutoCloseable {
    private static final Pattern ACCEPT = Pattern.compile("ACCEPT .*:(\\d+)");
    private static final Pattern HITS = Pattern.compile("(\\d+) session cache hits");

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final int port;

    private OpensslServer(Process process) {
        this.process = process;
        Thread.ofVirtual().start(() -> drain(process.getInputStream()));
        Wait.until(() -> ACCEPT.matcher(output).find() || !process.isAlive(), Duration.ofSeconds(20),
                () -> "openssl s_server did not start: " + output);
        Matcher m = ACCEPT.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("openssl s_server exited: " + output);
        }
        this.port = Integer.parseInt(m.group(1));
    }

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/openssl")) || onPath("openssl");
    }

    /**
     * @param clientCa CA file the server requires a client certificate from, or null for none
     * @param args     further s_server options, e.g. "-tls1_2", "-naccept", "3"
     */
    public static OpensslServer start(Path certificate, Path key, Path clientCa, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:0", "-rev",
                "-cert", certificate.toString(), "-key", key.toString()));
        if (clientCa != null) {
            command.addAll(List.of("-Verify", "4", "-CAfile", clientCa.toString(), "-verify_return_error"));
        }
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new OpensslServer(process);
    }

    public int port() {
        return port;
    }

    public String output() {
        return output.toString();
    }

    /** After the server exited (-naccept): how many handshakes resumed a session. */
    public int sessionCacheHits() {
        Wait.until(() -> !process.isAlive() && HITS.matcher(output).find(), Duration.ofSeconds(20),
                () -> "openssl s_server printed no statistics: " + output);
        Matcher m = HITS.matcher(output);
        m.find();
        return Integer.parseInt(m.group(1));
    }

    private void drain(InputStream in) {
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            output.append("\n[output read failed: ").append(e.getMessage()).append(']');
        }
    }

    static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
