package loomproxy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain upstream behind a PROXY protocol parser (HAProxy with {@code send-proxy}): it reads the
 * v1 line the parser re-sends (haproxy.org proxy-protocol.txt §2.1), keeps it, then echoes the rest.
 * So a test sees what the parser understood of the header it was sent.
 */
public final class ProxyLineEcho implements AutoCloseable {
    /** §2.1: a v1 line is at most 107 bytes with its CRLF. */
    private static final int MAX_LINE = 107;

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final FaultServer server;

    public ProxyLineEcho() throws IOException {
        server = new FaultServer("proxy line echo", FaultServer.loopback(), this::serve);
    }

    private void serve(Socket connection) throws IOException {
        connection.setSoTimeout(20_000);
        InputStream in = connection.getInputStream();
        lines.add(readLine(in));
        OutputStream out = connection.getOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0 || line.size() >= MAX_LINE) {
                throw new IOException("no PROXY line: " + line.toString(StandardCharsets.US_ASCII));
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).stripTrailing();
    }

    public int port() {
        return server.port();
    }

    /** The PROXY lines received, one per connection, without their CRLF. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
