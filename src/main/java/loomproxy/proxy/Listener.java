package loomproxy.proxy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import loomproxy.observe.SessionFacts;

/**
 * The accept loop of one listen address. It only accepts: each connection is handed to a new
 * virtual thread running its {@link Session}. Runs on a platform thread of its own so accepting
 * never waits behind busy sessions.
 */
final class Listener implements Runnable {
    private final ServerSocket server;
    private final Block block;
    private final Sessions sessions;
    private final System.Logger log;
    private final boolean keepalive;

    Listener(ServerSocket server, Block block, Sessions sessions, System.Logger log, boolean keepalive) {
        this.server = server;
        this.block = block;
        this.sessions = sessions;
        this.log = log;
        this.keepalive = keepalive;
    }

    @Override
    public void run() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
                // e.g. EMFILE: NGINX logs accept() failed and pauses accepting briefly rather than spin.
                log.log(Level.ERROR, "accept() on " + server.getLocalSocketAddress() + " failed: " + e.getMessage());
                pause();
                continue;
            }
            start(client);
        }
    }

    private void start(Socket client) {
        long id = sessions.nextNumber();
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
        Session session = new Session(block, client, facts, sessionLog, sessions);
        sessions.started(session);
        Thread.ofVirtual().name("session #" + id).start(session);
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
