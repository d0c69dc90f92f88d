package loomproxy.proxy;

import java.io.IOException;
import java.net.Socket;
import java.util.Optional;
import loomproxy.config.ServerConfig;
import loomproxy.metrics.ServerMetrics;
import loomproxy.tls.BufferedTransport;
import loomproxy.tls.UpstreamTls;
import loomproxy.upstream.UpstreamGroup;

/** A server block ready to run: its settings, its (possibly shared) upstream group, its TLS and its counters. */
record Block(ServerConfig config, UpstreamGroup group, Optional<UpstreamTls> tls, ServerMetrics metrics) {
    /** A block outside any metrics registry (tests of the data path): its counters count, nothing reads them. */
    Block(ServerConfig config, UpstreamGroup group, Optional<UpstreamTls> tls) {
        this(config, group, tls, ServerMetrics.unregistered(config.name()));
    }

    String name() {
        return config.name();
    }

    /**
     * An unconnected upstream socket with its file descriptor already allocated (setting an option
     * creates it), so running out of descriptors shows here, before a client is accepted, rather
     * than as a 502 for a client that was.
     */
    Socket newUpstreamSocket() throws IOException {
        Socket socket = tls.isPresent() ? new BufferedTransport() : new Socket();
        try {
            socket.setTcpNoDelay(true);
            if (config.socketKeepalive()) { // off is the kernel's default: no system call for it
                socket.setKeepAlive(true);
            }
            return socket;
        } catch (IOException e) {
            Sockets.closeQuietly(socket);
            throw e;
        }
    }
}
