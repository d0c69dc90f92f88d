package loomproxy.proxy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import loomproxy.observe.SessionFacts;

/**
 * The accept loop of one listen address. It only accepts: each connection is handed to a new
 * virtual thread running its {@link Session}. Runs on a platform thread of its own so accepting
 * never waits behind busy sessions, and it never dies while its socket is open (SPEC §9).
 *
 * <p>Before each accept it makes the upstream socket the session will need. When descriptors run
 * out that fails here, and the loop pauses with the client still waiting in the listen backlog,
 * instead of accepting a client only to answer it with 502 (NGINX likewise stops accepting for a
 * while on EMFILE).
 */
final class Listener implements Runnable {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(1);

    private final ServerSocket server;
    private final Block block;
    private final Sessions sessions;
    private final Deadlines deadlines;
    private final System.Logger log;
    private final boolean keepalive;
    private final Backoff backoff;

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
                    Socket taken = spare;
                    spare = null;
                    start(client, taken);
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

    private void start(Socket client, Socket spare) {
        long id = sessions.nextNumber();
        block.metrics().accepted();
        InetSocketAddress remote = (InetSocketAddress) client.getRemoteSocketAddress();
        InetSocketAddress local = (InetSocketAddress) client.getLocalSocketAddress();
        try {
            client.setTcpNoDelay(true);
            client.setKeepAlive(keepalive);
        } catch (SocketException e) {
            log.log(Level.DEBUG, "#" + id + " client socket options: " + e.getMessage());
        }
        SessionFacts facts = new SessionFacts(id, remote, local);
        String clientName = remote == null ? "?" : remote.getAddress().getHostAddress() + ":" + remote.getPort();
        SessionLog sessionLog = new SessionLog(log, id, clientName, block.name());
        Session session = new Session(block, client, spare, facts, sessionLog, sessions, deadlines);
        sessions.started(session);
        try {
            Thread.ofVirtual().name("session #" + id).start(session);
        } catch (RuntimeException | Error e) {
            // No thread to run it: the session ends here, with its log line.
            Sockets.reset(client);
            Sockets.closeQuietly(spare);
            facts.status(500);
            facts.end();
            sessions.ended(session, facts);
            throw e;
        }
    }
}
