package loomproxy.proxy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import loomproxy.observe.AddressText;
import loomproxy.observe.SessionFacts;
import loomproxy.tls.BufferedTransport;

/**
 * The accept loop of one listen address. It only accepts: each connection is handed to a new
 * virtual thread running its {@link Session}. Runs on a platform thread of its own so accepting
 * never waits behind busy sessions, and it never dies while its socket is open (SPEC §9).
 *
 * <p>Each connection is admitted or refused here, before its thread starts (limits, then access
 * rules: {@link Limits}); a refused one gets a session that only logs and closes it.
 *
 * <p>Before each accept it makes the upstream socket the session will need (a refused session
 * leaves it for the next). When descriptors run
 * out that fails here, and the loop pauses with the client still waiting in the listen backlog,
 * instead of accepting a client only to answer it with 502 (NGINX likewise stops accepting for a
 * while on EMFILE).
 */
final class Listener implements Runnable {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(1);

    private final ServerSocket server;
    private final Sessions sessions;
    private final Deadlines deadlines;
    private final System.Logger log;
    private final Backoff backoff;
    /** Replaced by a reload; each accepted connection runs on the block current at its accept. */
    private volatile Block block;
    private volatile boolean keepalive;

    Listener(ServerSocket server, Block block, Sessions sessions, Deadlines deadlines, System.Logger log,
             boolean keepalive) {
        this.server = server;
        this.block = block;
        this.sessions = sessions;
        this.deadlines = deadlines;
        this.log = log;
        this.keepalive = keepalive;
        this.backoff = new Backoff(FIRST_PAUSE, LONGEST_PAUSE, log);
    }

    /**
     * A reload kept this address bound: new connections get {@code next}. A spare socket made for
     * the old block is still fine, unless the block's TLS was switched on or off (its kind differs):
     * the session then makes its own.
     */
    void serve(Block next, boolean soKeepalive) {
        this.keepalive = soKeepalive;
        this.block = next;
    }

    ServerSocket socket() {
        return server;
    }

    String blockName() {
        return block.name();
    }

    @Override
    public void run() {
        Socket spare = null;
        try {
            while (!server.isClosed()) {
                try {
                    if (spare == null) {
                        spare = spare();
                        if (spare == null) {
                            continue;
                        }
                    }
                    Socket client = server.accept();
                    Socket offered = spare;
                    spare = null;
                    spare = start(client, offered);
                    backoff.reset();
                } catch (IOException | RuntimeException | Error e) {
                    if (server.isClosed()) {
                        return;
                    }
                    backoff.pause("accept() on " + address() + " failed", e);
                }
            }
        } finally {
            Sockets.closeQuietly(spare);
        }
    }

    /** The next session's upstream socket, or null (after a pause) when none can be made now. */
    private Socket spare() {
        try {
            return block.newUpstreamSocket();
        } catch (IOException e) {
            backoff.pause("not accepting on " + address() + ": no socket for a new session's upstream", e);
            return null;
        }
    }

    private String address() {
        var address = (InetSocketAddress) server.getLocalSocketAddress();
        return address == null ? "?" : address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /**
     * Admits or refuses the connection (limits, then access rules: SPEC §9) here, on the accept
     * thread, where it costs a counter and a scan of the rules and no I/O, and starts its session.
     *
     * @return the spare socket back when the session does not need it (a refused one), else null
     */
    private Socket start(Socket client, Socket spare) {
        Block block = this.block;
        if (spare != null && (spare instanceof BufferedTransport) != block.tls().isPresent()) {
            Sockets.closeQuietly(spare); // made for a block of the other kind before a reload
            spare = null;
        }
        long id = sessions.nextNumber();
        block.metrics().accepted();
        InetSocketAddress remote = (InetSocketAddress) client.getRemoteSocketAddress();
        InetSocketAddress local = (InetSocketAddress) client.getLocalSocketAddress();
        try {
            client.setTcpNoDelay(true);
            if (keepalive) { // off is the kernel's default: no system call for it
                client.setKeepAlive(true);
            }
        } catch (SocketException e) {
            log.log(Level.DEBUG, "#" + id + " client socket options: " + e.getMessage());
        }
        SessionFacts facts = new SessionFacts(id, remote, local);
        String clientName = remote == null ? "?" : AddressText.of(remote.getAddress()) + ":" + remote.getPort();
        SessionLog sessionLog = new SessionLog(log, id, clientName, block.name());
        Admission admission = null;
        Session session = null;
        try {
            admission = sessions.admit(block, remote == null ? null : remote.getAddress());
            Socket taken = admission.admitted() ? spare : null;
            session = new Session(block, client, taken, facts, sessionLog, sessions, deadlines, admission);
            sessions.started(session);
            Thread.ofVirtual().name("session #" + id).start(session);
            return taken == null ? spare : null;
        } catch (RuntimeException | Error e) {
            // No thread to run it: the session ends here, with its log line (which releases its limits).
            Sockets.reset(client);
            Sockets.closeQuietly(spare);
            if (session != null) {
                facts.status(500);
                facts.end();
                sessions.ended(session, facts);
            } else if (admission != null) {
                admission.release();
            }
            throw e;
        }
    }
}
