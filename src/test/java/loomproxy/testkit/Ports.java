package loomproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports for peers started as processes (nginx, HAProxy, loomproxy itself). */
public final class Ports {
    /** Sockets holding {@link #closed()} ports for the rest of the test run. */
    private static final List<Socket> HELD = new ArrayList<>();

    private Ports() {
    }

    /**
     * A loopback port that refuses connections for the rest of the test run: a socket is bound to it
     * and never listens. A port merely found free and let go could be taken by the next listener
     * bound to port 0 (the proxy's own, as once happened), and then it accepts.
     */
    public static synchronized int closed() throws IOException {
        Socket holder = new Socket();
        holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        HELD.add(holder);
        return holder.getLocalPort();
    }

    /** A port nothing listens on right now (the kernel's pick); a process started next binds it. */
    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Whether something accepts connections on this loopback port. */
    public static boolean accepts(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
