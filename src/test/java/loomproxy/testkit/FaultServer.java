package loomproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The accept loop every fault fixture shares: it accepts on loopback, keeps each connection so
 * {@link #close()} can end it, and hands it to the fixture's fault on a virtual thread of its own.
 * The fixtures themselves (one file per fault kind, as toxiproxy has) are only the fault.
 */
public final class FaultServer implements AutoCloseable {
    /** What the fixture does with one accepted connection; an IOException ends just that one. */
    @FunctionalInterface
    public interface Fault {
        void serve(Socket connection) throws IOException;
    }

    private final ServerSocket server;
    private final Fault fault;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    /** Accepts on {@code server} (see {@link #loopback()}); the thread is named {@code name}. */
    public FaultServer(String name, ServerSocket server, Fault fault) {
        this.server = server;
        this.fault = fault;
        Thread.ofVirtual().name(name).start(this::accept);
    }

    /** A plain listening socket on loopback, any free port. */
    public static ServerSocket loopback() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                held.add(connection);
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> {
                    try {
                        fault.serve(connection);
                    } catch (IOException e) {
                        // the proxy closed or reset this connection: the fault is over for it
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Keeps another socket of the fixture's (a relay's far side) to be closed with the rest. */
    public void hold(Socket socket) {
        held.add(socket);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
