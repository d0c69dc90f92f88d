package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Clients from a chosen loopback address: Linux answers on all of 127.0.0.0/8 and on ::1, so a test
 * can be several clients by binding each socket's local address before it connects.
 */
public final class Loopback {
    /** What a client saw: its bytes came back (it got through), or the connection ended without them. */
    public enum Outcome { THROUGH, REFUSED }

    private Loopback() {}

    /** A connected socket whose local address is {@code from} (e.g. "127.0.0.2", "::1"). */
    public static Socket connect(String from, InetSocketAddress to) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(to, 20_000);
            socket.setSoTimeout(20_000);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends a short message through an echo and reads it back: THROUGH if it came back whole,
     * REFUSED if the connection ended (EOF or reset) before any of it did.
     */
    public static Outcome echoOrRefused(Socket socket) throws IOException {
        byte[] message = ("hello from " + socket.getLocalAddress().getHostAddress()).getBytes(StandardCharsets.US_ASCII);
        try {
            socket.getOutputStream().write(message);
        } catch (IOException refusedAlready) {
            return readsNothing(socket.getInputStream()) ? Outcome.REFUSED : fail(socket, "a write failed, then bytes came");
        }
        InputStream in = socket.getInputStream();
        byte[] back = new byte[message.length];
        int n = 0;
        try {
            while (n < back.length) {
                int r = in.read(back, n, back.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (IOException reset) {
            if (n == 0) {
                return Outcome.REFUSED;
            }
            throw reset;
        }
        if (n == 0) {
            return Outcome.REFUSED;
        }
        if (n < back.length || !Arrays.equals(message, back)) {
            return fail(socket, "a partial or wrong echo: " + new String(back, 0, n, StandardCharsets.US_ASCII));
        }
        return Outcome.THROUGH;
    }

    /** Connects from {@code from}, tries an echo, closes. */
    public static Outcome tryFrom(String from, InetSocketAddress to) throws IOException {
        try (Socket socket = connect(from, to)) {
            return echoOrRefused(socket);
        }
    }

    private static boolean readsNothing(InputStream in) {
        try {
            return in.read() < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    private static Outcome fail(Socket socket, String what) throws IOException {
        throw new IOException(socket.getLocalSocketAddress() + ": " + what);
    }
}
