package loomproxy.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import loomproxy.config.ServerConfig;
import loomproxy.observe.SessionFacts;
import loomproxy.tls.HandshakeFailure;
import loomproxy.tls.UpstreamTls;
import loomproxy.upstream.Peer;

/**
 * Finds an upstream server for one session as NGINX's stream proxy does: pick round-robin, connect
 * within proxy_connect_timeout, handshake within a fresh timer of the same length, and on a
 * connect, handshake or verification failure count a failure against that server and (with
 * proxy_next_upstream on) try the next, within proxy_next_upstream_tries and _timeout.
 */
final class UpstreamConnector {
    /**
     * A usable upstream connection: the caller must release {@code peer}, close {@code socket}, and
     * run {@code firstBytes} when the upstream first sends data (or the session ends).
     */
    record Connected(Peer peer, Socket socket, SessionFacts.Try attempt, Runnable firstBytes) {}

    private record Opened(Socket socket, SessionFacts.Try attempt, Runnable firstBytes) {}

    private final Block block;
    private final SessionLog log;

    UpstreamConnector(Block block, SessionLog log) {
        this.block = block;
        this.log = log;
    }

    /** @param proxyHeader the PROXY protocol line to send first, or null */
    Optional<Connected> connect(SessionFacts facts, byte[] proxyHeader) {
        ServerConfig config = block.config();
        int tries = block.group().servers();
        if (config.nextUpstreamTries() > 0) {
            tries = Math.min(tries, config.nextUpstreamTries());
        }
        long deadline = config.nextUpstreamTimeout().isZero() ? Long.MAX_VALUE
                : System.nanoTime() + config.nextUpstreamTimeout().toNanos();
        Set<Peer> tried = new HashSet<>();
        while (true) {
            Optional<Peer> pick = block.group().pick(tried);
            if (pick.isEmpty()) {
                log.error("no live upstreams in \"" + block.group().name() + "\" while connecting to upstream");
                return Optional.empty();
            }
            Peer peer = pick.get();
            tried.add(peer);
            SessionFacts.Try attempt = facts.attempt(peer.toString());
            Optional<Opened> opened = tryPeer(peer, attempt, facts, proxyHeader);
            if (opened.isPresent()) {
                return Optional.of(new Connected(peer, opened.get().socket(), opened.get().attempt(), opened.get().firstBytes()));
            }
            block.group().release(peer, true);
            tries--;
            if (!config.nextUpstream() || tries <= 0 || System.nanoTime() >= deadline) {
                return Optional.empty();
            }
        }
    }

    private Optional<Opened> tryPeer(Peer peer, SessionFacts.Try attempt, SessionFacts facts, byte[] proxyHeader) {
        ServerConfig config = block.config();
        Duration timeout = config.connectTimeout();
        long started = System.nanoTime();
        Socket plain = block.tls().isPresent() ? new loomproxy.tls.BufferedTransport() : new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.setKeepAlive(config.socketKeepalive());
            InetSocketAddress address = new InetSocketAddress(peer.address().host(), peer.address().port());
            if (address.isUnresolved()) {
                throw new UnknownHostException(peer.address().host());
            }
            plain.connect(address, Math.toIntExact(Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            if (proxyHeader != null) {
                plain.getOutputStream().write(proxyHeader);
                attempt.headerSent(proxyHeader.length);
            }
        } catch (IOException e) {
            closeQuietly(plain);
            log.warn("upstream " + peer + " connect failed: " + connectReason(e, timeout));
            return Optional.empty();
        }
        if (block.tls().isEmpty()) {
            attempt.connected(System.nanoTime() - started);
            return Optional.of(new Opened(plain, attempt, () -> { }));
        }
        try {
            return handshake(block.tls().get(), plain, peer, attempt, facts, started);
        } catch (HandshakeFailure e) {
            // Like a HelloRetryRequest, but a new connection: not a try of proxy_next_upstream_tries,
            // and not a failure of the server; the new attempt shows in $upstream_addr.
            log.info("upstream " + peer + " handshake offering one key share (TLS 1.3, X25519) failed (" + e.getMessage()
                    + "); offering it JSSE's default groups from now on, and connecting again");
            return tryPeer(peer, facts.attempt(peer.toString()), facts, proxyHeader);
        }
    }

    /** @throws HandshakeFailure only one that {@linkplain HandshakeFailure#retryWithDefaultGroups() asks for a retry} */
    private Optional<Opened> handshake(UpstreamTls tls, Socket plain, Peer peer, SessionFacts.Try attempt,
                                       SessionFacts facts, long started) throws HandshakeFailure {
        try {
            UpstreamTls.Established tlsSession = tls.handshake(plain, peer.address(), block.config().connectTimeout());
            attempt.connected(System.nanoTime() - started);
            facts.tls(tlsSession.protocol(), tlsSession.cipher(), tlsSession.name(), tlsSession.reused());
            facts.verify(block.config().tls().verify() ? "ok" : "off");
            return Optional.of(new Opened(tlsSession.socket(), attempt, tlsSession.ticketsArrived()));
        } catch (HandshakeFailure e) {
            if (e.retryWithDefaultGroups()) {
                throw e;
            }
            log.warn("upstream " + peer + (e.verification() ? " verification failed: " : " handshake failed: ") + e.getMessage());
            facts.verify(e.reason());
            return Optional.empty();
        }
    }

    private static String connectReason(IOException e, Duration timeout) {
        if (e instanceof SocketTimeoutException) {
            return "timed out after " + timeout.toMillis() + "ms (proxy_connect_timeout)";
        }
        if (e instanceof UnknownHostException) {
            return "host not found: " + e.getMessage();
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return e.getMessage();
        }
        return e.toString();
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket we are abandoning: nothing more can be done with the error.
        }
    }
}
