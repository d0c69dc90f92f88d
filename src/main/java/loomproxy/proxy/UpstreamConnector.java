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
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import loomproxy.config.ServerConfig;
import loomproxy.observe.SessionFacts;
import loomproxy.tls.HandshakeFailure;
import loomproxy.tls.UpstreamTls;
import loomproxy.upstream.Peer;

/**
 * Finds an upstream server for one session as NGINX's stream proxy does: pick round-robin, connect
 * within proxy_connect_timeout, handshake within a fresh deadline of the same length, and on a
 * connect, handshake or verification failure count a failure against that server and (with
 * proxy_next_upstream on) try the next, within proxy_next_upstream_tries and _timeout.
 */
final class UpstreamConnector {
    /**
     * A usable upstream connection: the caller must release {@code peer}, close {@code socket}, and
     * run {@code firstBytes} when the upstream first sends data (or the session ends).
     *
     * @param certificateRequested as {@link UpstreamTls.Established#certificateRequested()}; null without TLS
     */
    record Connected(Peer peer, Socket socket, SessionFacts.Try attempt, Runnable firstBytes, Boolean certificateRequested) {}

    private record Opened(Socket socket, SessionFacts.Try attempt, Runnable firstBytes, Boolean certificateRequested) {}

    private final Block block;
    private final SessionLog log;
    private final Deadlines deadlines;
    private final Consumer<Socket> onSocket;
    private final BooleanSupplier aborted;
    private Socket spare;
    /** How the last try failed; null before the first failure. */
    private Failure last;

    /**
     * One failed try.
     *
     * @param phase   what it was doing, in NGINX's words ("connecting", "SSL handshaking")
     * @param reason  the label of loomproxy_upstream_failures_total
     * @param message as logged, and repeated in the session's verdict when no try succeeds
     */
    private record Failure(String phase, String reason, String message) {}

    /**
     * @param spare   an unconnected socket for the first try (made before the client was accepted)
     * @param onSocket told of every TCP socket before it connects, so shutdown can reset it
     * @param aborted true once shutdown aborted the session: no further tries
     */
    UpstreamConnector(Block block, SessionLog log, Deadlines deadlines, Socket spare, Consumer<Socket> onSocket,
                      BooleanSupplier aborted) {
        this.block = block;
        this.log = log;
        this.deadlines = deadlines;
        this.spare = spare;
        this.onSocket = onSocket;
        this.aborted = aborted;
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
                facts.attempt(block.group().name()); // $upstream_addr names the group, as NGINX's (pc->name = peers->name)
                log.error("no live upstreams in \"" + block.group().name() + "\" while connecting to upstream");
                return Optional.empty();
            }
            Peer peer = pick.get();
            tried.add(peer);
            Optional<Opened> opened;
            try {
                opened = tryPeer(peer, facts.attempt(peer.toString()), facts, proxyHeader);
            } catch (RuntimeException | Error e) {
                block.group().release(peer, false); // a bug of ours is not the server's failure
                throw e;
            }
            if (opened.isPresent()) {
                Opened o = opened.get();
                return Optional.of(new Connected(peer, o.socket(), o.attempt(), o.firstBytes(), o.certificateRequested()));
            }
            if (block.group().release(peer, !aborted.getAsBoolean())) {
                log.warn("upstream server temporarily disabled while " + last.phase() + " to upstream, upstream: \"" + peer + "\"");
            }
            if (!aborted.getAsBoolean()) {
                block.metrics().route(peer).failed(last.reason());
            }
            tries--;
            if (aborted.getAsBoolean()) {
                return Optional.empty();
            }
            if (!config.nextUpstream() || tries <= 0 || System.nanoTime() >= deadline) {
                // NGINX logs each failed try at [error]; here each is a [warn] (SPEC §6) and the
                // session's outcome is the [error], so an error_log at NGINX's default level shows why.
                log.error("no upstream of \"" + block.group().name() + "\" reached after " + tried.size()
                        + (tried.size() == 1 ? " try" : " tries") + "; last: " + last.message());
                return Optional.empty();
            }
        }
    }

    private Optional<Opened> tryPeer(Peer peer, SessionFacts.Try attempt, SessionFacts facts, byte[] proxyHeader) {
        ServerConfig config = block.config();
        Duration timeout = config.connectTimeout();
        long started = System.nanoTime();
        Socket plain;
        try {
            plain = nextSocket();
        } catch (IOException e) {
            tryFailed("connecting", "connect_error", "upstream " + peer + " connect failed: cannot create a socket: "
                    + e.getMessage());
            return Optional.empty();
        }
        onSocket.accept(plain);
        if (aborted.getAsBoolean()) {
            // Shutdown may have looked for this socket just before it was handed over.
            Sockets.closeQuietly(plain);
            return Optional.empty();
        }
        try {
            InetSocketAddress address = peer.socketAddress(peer.address().port());
            if (address.isUnresolved()) {
                throw new UnknownHostException(peer.address().host());
            }
            long connecting = System.nanoTime();
            plain.connect(address, Math.toIntExact(Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            block.metrics().route(peer).connected(System.nanoTime() - connecting);
        } catch (IOException e) {
            Sockets.closeQuietly(plain);
            tryFailed("connecting", FailureReason.connect(e), "upstream " + peer + " connect failed: " + connectReason(e, timeout));
            return Optional.empty();
        }
        // NGINX arms a fresh timer of proxy_connect_timeout for what follows the connect; here it is
        // a deadline for the whole of it, so a peer that drips a byte at a time cannot stretch it.
        Deadlines.Deadline deadline = deadlines.arm(plain, timeout.toNanos());
        try {
            if (proxyHeader != null) {
                plain.getOutputStream().write(proxyHeader);
                attempt.headerSent(proxyHeader.length);
            }
            if (block.tls().isEmpty()) {
                if (!deadline.disarm()) {
                    throw new SocketTimeoutException("PROXY header");
                }
                attempt.connected(System.nanoTime() - started);
                return Optional.of(new Opened(plain, attempt, () -> { }, null));
            }
            return handshake(block.tls().get(), plain, deadline, peer, attempt, facts, started);
        } catch (HandshakeFailure e) {
            Sockets.closeQuietly(plain);
            // Like a HelloRetryRequest, but a new connection: not a try of proxy_next_upstream_tries,
            // and not a failure of the server; the new attempt shows in $upstream_addr.
            log.info("upstream " + peer + " handshake offering one key share (TLS 1.3, X25519) failed (" + e.getMessage()
                    + "); offering it JSSE's default groups from now on, and connecting again");
            return tryPeer(peer, facts.attempt(peer.toString()), facts, proxyHeader);
        } catch (IOException e) {
            deadline.disarm();
            Sockets.closeQuietly(plain);
            tryFailed("connecting", FailureReason.connect(e), "upstream " + peer
                    + " connect failed: sending the PROXY protocol header: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The spare socket for the first try, a new one for every later try. */
    private Socket nextSocket() throws IOException {
        Socket socket = spare;
        spare = null;
        return socket != null ? socket : block.newUpstreamSocket();
    }

    /**
     * @throws HandshakeFailure only one that {@linkplain HandshakeFailure#retryWithDefaultGroups() asks for a retry}
     */
    private Optional<Opened> handshake(UpstreamTls tls, Socket plain, Deadlines.Deadline deadline, Peer peer,
                                       SessionFacts.Try attempt, SessionFacts facts, long started) throws HandshakeFailure {
        try {
            long handshaking = System.nanoTime();
            UpstreamTls.Established tlsSession = tls.handshake(plain, peer.address(), peer.host(), deadline::passed);
            if (!deadline.disarm()) {
                tlsSession.ticketsArrived().run();
                throw HandshakeFailure.timeout();
            }
            attempt.connected(System.nanoTime() - started);
            block.metrics().route(peer).handshake(tlsSession.protocol(), tlsSession.reused(),
                    System.nanoTime() - handshaking, tlsSession.socket().getSession());
            facts.tls(tlsSession.protocol(), tlsSession.cipher(), tlsSession.name(), tlsSession.reused());
            facts.verify(block.config().tls().verify() ? "ok" : "off");
            return Optional.of(new Opened(tlsSession.socket(), attempt, tlsSession.ticketsArrived(),
                    tlsSession.certificateRequested()));
        } catch (HandshakeFailure e) {
            deadline.disarm();
            if (e.retryWithDefaultGroups()) {
                throw e;
            }
            Sockets.closeQuietly(plain);
            if (aborted.getAsBoolean()) {
                return Optional.empty(); // shutdown reset the connection: not the server's doing (Session logs it)
            }
            tryFailed("SSL handshaking", e.reason(), "upstream " + peer
                    + (e.verification() ? " verification failed: " : " handshake failed: ") + e.getMessage());
            facts.verify(e.reason());
            return Optional.empty();
        }
    }

    /** One try failed: logged with the server and why, unless shutdown cut it. */
    private void tryFailed(String phase, String reason, String message) {
        last = new Failure(phase, reason, message);
        if (!aborted.getAsBoolean()) {
            log.warn(message);
        }
    }

    static String connectReason(IOException e, Duration timeout) {
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
}
