package loomproxy.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A plain-socket HTTP/1.1 client for the admin endpoint: one request per connection, the whole
 * answer read to EOF, so tests see the exact status, headers and body, and can choose the address
 * a request comes from (loopback has all of 127/8).
 */
public final class AdminClient {
    /** Header names compare case-insensitively, as HTTP's do. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    private AdminClient() {
    }

    public static Response get(InetSocketAddress admin, String path) throws IOException {
        return request("GET", admin, path, null);
    }

    /** @param from the local address to connect from; null for the system's choice */
    public static Response request(String method, InetSocketAddress admin, String path, InetAddress from)
            throws IOException {
        try (Socket socket = new Socket()) {
            if (from != null) {
                socket.bind(new InetSocketAddress(from, 0));
            }
            socket.connect(admin, 10_000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            String request = method + " " + path + " HTTP/1.1\r\nHost: " + admin.getAddress().getHostAddress() + ":"
                    + admin.getPort() + "\r\nConnection: close\r\n" + (method.equals("POST") ? "Content-Length: 0\r\n" : "")
                    + "\r\n";
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        }
    }

    private static Response parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete HTTP header in: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
        }
        String body = text.substring(end + 4);
        String length = headers.get("Content-Length");
        if (length != null && body.getBytes(StandardCharsets.UTF_8).length != Integer.parseInt(length)) {
            throw new IOException("body of " + body.getBytes(StandardCharsets.UTF_8).length + " bytes, Content-Length "
                    + length);
        }
        return new Response(Integer.parseInt(statusLine[1]), headers, body);
    }
}
