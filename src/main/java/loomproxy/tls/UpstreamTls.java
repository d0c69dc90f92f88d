package loomproxy.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import loomproxy.config.HostPort;
import loomproxy.config.TlsConfig;
import loomproxy.tls.trust.UpstreamTrust;

/**
 * TLS to the upstream servers of one server block. One {@link SSLContext}, shared by every session of
 * the block, holds the client session cache: JSSE keys it by the host and port given to
 * {@code createSocket(socket, host, port, autoClose)}, so a session is offered only to the server
 * that issued it (SPEC §4). With {@code proxy_ssl_session_reuse off} every handshake gets a fresh
 * context and so an empty cache, since JSSE has no per-context switch for resumption.
 */
public final class UpstreamTls {
    /**
     * What a completed handshake tells the access log. Call {@code ticketsArrived} once the
     * upstream has sent its first bytes (its NewSessionTicket came before them) or the session ended,
     * whichever is first; it may be called more than once.
     */
    /**
     * @param certificateRequested null when the server did not ask for a client certificate; else
     *                             whether we had one to send (a TLS 1.3 server judges it only after
     *                             the handshake is over for us, and may just close: see Session)
     */
    public record Established(SSLSocket socket, String protocol, String cipher, String name, boolean reused,
                              Runnable ticketsArrived, Boolean certificateRequested) {}

    private static final int SESSION_CACHE_SIZE = 32 * TicketSlots.MAX;

    private final TlsConfig config;
    private final TlsFiles files;
    private final KeyManager[] keys;
    private final TrustManager[] trust;
    private final SecureRandom random;
    private final SSLContext shared;
    private final String[] protocols;
    private final String[] suites;
    private final String[] groups;
    private final KeyShares keyShares;
    private final Map<TicketSlots.Key, TicketSlots> slots = new ConcurrentHashMap<>();
    private final TlsMaterial material;

    UpstreamTls(TlsConfig config, TlsFiles files, KeyManager[] keys, TrustManager[] trust, List<String> protocols,
                List<String> suites, List<String> groups, TlsMaterial material) throws GeneralSecurityException {
        this.config = config;
        this.files = files;
        this.material = material;
        this.keys = keys;
        this.trust = trust;
        this.random = new SecureRandom();
        this.shared = config.sessionReuse() ? newContext() : null;
        if (shared != null) {
            // JSSE also files every client session by its ID, which a client never looks up; left
            // unbounded that held ~32,000 dead sessions under load. Enough for 32 servers' slots.
            shared.getClientSessionContext().setSessionCacheSize(SESSION_CACHE_SIZE);
        }
        this.protocols = protocols.toArray(String[]::new);
        this.suites = suites.toArray(String[]::new);
        this.groups = groups == null ? null : groups.toArray(String[]::new);
        this.keyShares = new KeyShares(groups == null && protocols.contains("TLSv1.3"));
    }

    /** The certificates and CRLs this block's TLS was built from (public parts only). */
    public TlsMaterial material() {
        return material;
    }

    /**
     * Layers TLS over a connected socket and completes the handshake. It sets no socket timeout: the
     * caller bounds the whole handshake with a deadline that resets {@code connected} when it passes
     * (a per-read timeout would let a peer that drips one byte at a time hold it forever). On failure
     * the reason is classified and the caller closes {@code connected}; the SSLSocket is never closed
     * here, since that would write to a peer that may have stopped reading.
     *
     * @param server         the address connected to: sessions are kept per address (SPEC §4, §11)
     * @param host           the server's name as written, the default proxy_ssl_name (SNI and the name checked)
     * @param deadlinePassed true once the caller's deadline reset the connection: the failure is then
     *                       {@code handshake_timeout}, whatever JSSE made of the closed socket
     */
    public Established handshake(Socket connected, HostPort server, String host, BooleanSupplier deadlinePassed)
            throws HandshakeFailure {
        TicketSlots.Key key = new TicketSlots.Key(host, server);
        TicketSlots serverSlots = shared == null ? null : slots.computeIfAbsent(key, k -> new TicketSlots());
        int slot = serverSlots == null ? 0 : serverSlots.take();
        Runnable giveBack = once(serverSlots == null ? () -> { } : () -> serverSlots.give(slot));
        SSLContext context;
        try {
            context = shared != null ? shared : newContext();
        } catch (GeneralSecurityException e) {
            giveBack.run();
            throw new HandshakeFailure("handshake", "handshake: " + e.getMessage(), false, e);
        }
        KeyShares.Offer offer = keyShares.offer(server);
        try {
            Established established = establish(context, connected, TicketSlots.cacheHost(key, slot), server, host,
                    offer, giveBack);
            keyShares.succeeded(server, offer, established.protocol());
            return established;
        } catch (HandshakeFailure e) {
            giveBack.run();
            if (deadlinePassed.getAsBoolean()) {
                throw HandshakeFailure.timeout();
            }
            throw keyShares.failed(server, offer, e) ? e.retryAtOnce() : e;
        }
    }

    /**
     * An active health check's handshake (SPEC §11): the block's certificate, verification, name and
     * protocols, in a context of its own, so it is always a full handshake, never resumes a session,
     * and leaves nothing behind for the sessions (no cached session, no key-share verdict).
     */
    public Established probe(Socket connected, HostPort server, String host, BooleanSupplier deadlinePassed)
            throws HandshakeFailure {
        try {
            return establish(newContext(), connected, TicketSlots.cacheHost(new TicketSlots.Key(host, server), 0), server, host,
                    KeyShares.Offer.DEFAULT, () -> { });
        } catch (GeneralSecurityException e) {
            throw new HandshakeFailure("handshake", "handshake: " + e.getMessage(), false, e);
        } catch (HandshakeFailure e) {
            throw deadlinePassed.getAsBoolean() ? HandshakeFailure.timeout() : e;
        }
    }

    private Established establish(SSLContext context, Socket connected, String cacheHost, HostPort server, String host,
                                  KeyShares.Offer offer, Runnable ticketsArrived) throws HandshakeFailure {
        SSLSocket socket;
        try {
            // The host given here is JSSE's session cache key (with the connected port) and nothing
            // else we rely on: SNI is set explicitly below and the verifier recovers the real host.
            socket = (SSLSocket) context.getSocketFactory().createSocket(connected, cacheHost, server.port(), true);
        } catch (IOException e) {
            throw new HandshakeFailure("handshake", "handshake: " + e.getMessage(), false, e);
        }
        String name = config.name().orElse(host);
        try {
            socket.setUseClientMode(true);
            socket.setSSLParameters(parameters(name, offer));
            long started = System.currentTimeMillis();
            socket.startHandshake();
            SSLSession session = socket.getSession();
            // JSSE has no "was this resumed" call; a resumed session keeps the creation time of the
            // handshake that made it (TLS 1.2 and 1.3 alike), which predates this one.
            boolean reused = session.getCreationTime() < started;
            return new Established(socket, session.getProtocol(), CipherStrings.opensslName(session.getCipherSuite()),
                    name, reused, ticketsArrived, askedForCertificate(socket));
        } catch (IOException e) {
            throw FailureReasons.classify(e, askedForCertificate(socket));
        } finally {
            askedForCertificate(socket); // forgets the socket on every path
        }
    }

    /** The settings and file contents this context was made from. */
    public TlsFiles files() {
        return files;
    }

    /** Null when not asked; else whether we had a certificate to send. */
    private Boolean askedForCertificate(Socket socket) {
        for (KeyManager km : keys) {
            if (km instanceof ClientKeyManager client && client.forget(socket)) {
                return client.hasCertificate();
            }
        }
        return null;
    }

    private SSLParameters parameters(String name, KeyShares.Offer offer) {
        boolean oneShare = offer == KeyShares.Offer.ONE_SHARE;
        SSLParameters p = new SSLParameters(suites, oneShare ? KeyShares.ONE_SHARE_PROTOCOLS : protocols);
        p.setServerNames(serverNames(name));
        if (oneShare) {
            p.setNamedGroups(KeyShares.ONE_SHARE_GROUPS);
        } else if (groups != null) {
            p.setNamedGroups(groups);
        }
        return p;
    }

    /** RFC 6066 §3: no SNI for IP literals; proxy_ssl_server_name off sends none at all. */
    private List<SNIServerName> serverNames(String name) {
        if (!config.serverName() || UpstreamTrust.isIpLiteral(name)) {
            return List.of();
        }
        try {
            return List.of(new SNIHostName(name));
        } catch (IllegalArgumentException notAHostName) {
            return List.of();
        }
    }

    private SSLContext newContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, trust, random);
        return context;
    }

    private static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }
}
