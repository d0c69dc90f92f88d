package loomproxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link EchoUpstream} as a child JVM (same java, same class path) and stops it, collecting
 * its {@link EchoUpstream.Summary}. A separate process keeps the upstream's TLS work out of the
 * benchmark JVM's CPU time and heap; both still share the machine's cores.
 */
final class UpstreamProcess implements AutoCloseable {
    /** Small and serial, like bin/loomproxy's defaults: the upstream should not hog the 2 cores with GC threads. */
    private static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Djdk.pollerMode=1", "-Xmx512m");

    private final Process process;
    private final BufferedReader out;
    private final PrintStream in;
    private final int port;
    private EchoUpstream.Summary finalSummary;

    private UpstreamProcess(Process process, BufferedReader out, int port) {
        this.process = process;
        this.out = out;
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        this.port = port;
    }

    static UpstreamProcess start(Path pkiDir) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoUpstream.class.getName(), pkiDir.toString()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine();
        if (line == null || !line.startsWith("port ")) {
            process.destroyForcibly();
            throw new IOException("echo upstream did not start (its first line: " + line + "); see its error output above");
        }
        return new UpstreamProcess(process, out, Integer.parseInt(line.substring(5).trim()));
    }

    int port() {
        return port;
    }

    /** What the upstream has seen so far, and its CPU time so far. */
    EchoUpstream.Summary summary() throws IOException {
        if (finalSummary != null) {
            return finalSummary;
        }
        in.println("summary");
        return EchoUpstream.Summary.parse(String.valueOf(out.readLine()));
    }

    /** Ends the upstream (closing its stdin) and returns what it saw; idempotent. */
    EchoUpstream.Summary stop() throws IOException {
        if (finalSummary == null) {
            in.close();
            finalSummary = EchoUpstream.Summary.parse(String.valueOf(out.readLine()));
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        return finalSummary;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
