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
     * Ends reading from a TCP socket, before its SSLSocket is closed: JSSE's close otherwise reads
     * and discards whatever the peer has sent and is still sending (SSLSocketImpl's "deplete"),
     * which for a peer that floods ties a carrier thread up for as long as it reads megabytes
     * (QA: 40 such sessions ending at once stalled every other session for seconds). Nothing is
     * waited for; unread data makes the final close a reset, as NGINX's close of such a peer is.
     */
    static void stopReading(Socket tcp) {
        if (tcp == null) {
            return;
        }
        try {
            tcp.shutdownInput();
        } catch (IOException alreadyGone) {
            // closed or reset already: nothing left to read
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
