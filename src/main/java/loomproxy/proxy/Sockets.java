package loomproxy.proxy;

import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;

/**
 * The two ways a session's sockets end. Both are for plain TCP sockets (a client, or the TCP
 * connection under an upstream SSLSocket) and neither ever waits on a peer: closing a plain JDK
 * socket only marks it closed and wakes whoever is blocked on it. Closing an {@code SSLSocket} is
 * another matter — it takes the writer's lock and writes close_notify with no timeout — so only a
 * session's own thread does that, under a {@link Deadlines deadline}.
 */
final class Sockets {
    private Sockets() {
    }

    /** An orderly close (for a socket: FIN after whatever the kernel still holds); null is fine. */
    static void closeQuietly(Closeable socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket we are abandoning: nothing more can be done with the error.
        }
    }

    /**
     * An abort: SO_LINGER 0 makes the close send RST and drop unsent data, so the peer cannot take a
     * cut stream for a whole one, and any thread blocked reading or writing the socket returns at
     * once. Safe from any thread.
     */
    static void reset(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException alreadyClosed) {
            // nothing to reset
        }
        closeQuietly(socket);
    }
}
