package loomproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port where TCP connects time out: a listener with a backlog of one that never
 * accepts, its queue filled by two parked connections. Linux then drops further SYNs, which is how
 * an unreachable or overloaded server looks to proxy_connect_timeout — without leaving loopback.
 */
public final class FullBacklog implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    public FullBacklog() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        for (int i = 0; i < 2; i++) {
            fillers.add(new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        for (Socket s : fillers) {
            s.close();
        }
        listener.close();
    }
}
