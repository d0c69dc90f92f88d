package loomproxy.tls;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import loomproxy.config.HostPort;

/**
 * How many key shares a ClientHello carries, per upstream server. JSSE puts one share of each kind it
 * offers in every ClientHello (X25519 and P-256 by default) and uses one; OpenSSL, and so NGINX,
 * sends X25519 alone and lets a server that wants another group ask for it. The unused P-256 share
 * is about a tenth of loomproxy's CPU per resumed connection (jmh/README.md), and JSSE has no way
 * to offer a group without a share.
 *
 * <p>So, when proxy_ssl_conf_command sets no Groups: a server's first handshake offers JSSE's
 * defaults; once one of them has been TLS 1.3, later handshakes to that server offer TLS 1.3 with
 * X25519 and X448 only, one share. If such a handshake fails, the server gets the defaults back for
 * good and the caller retries at once. Narrowing to TLS 1.3, where every key exchange is ephemeral,
 * means a narrowed handshake can fail but never settle for less than the default would.
 */
final class KeyShares {
    /** What one ClientHello offers. */
    enum Offer { DEFAULT, ONE_SHARE }

    /** A server not in the map has not done TLS 1.3 with the defaults yet. */
    private enum State { ONE_SHARE, DEFAULT_FOR_GOOD }

    static final String[] ONE_SHARE_GROUPS = {"x25519", "x448"};
    static final String[] ONE_SHARE_PROTOCOLS = {"TLSv1.3"};

    private final boolean enabled;
    private final Map<HostPort, State> servers = new ConcurrentHashMap<>();

    /** @param enabled false when the groups are configured or TLS 1.3 is not enabled */
    KeyShares(boolean enabled) {
        this.enabled = enabled;
    }

    Offer offer(HostPort server) {
        return enabled && servers.get(server) == State.ONE_SHARE ? Offer.ONE_SHARE : Offer.DEFAULT;
    }

    void succeeded(HostPort server, Offer offer, String protocol) {
        if (enabled && offer == Offer.DEFAULT && "TLSv1.3".equals(protocol)) {
            servers.putIfAbsent(server, State.ONE_SHARE);
        }
    }

    /**
     * @return true when the failed handshake had offered one share and the failure could be the
     *         server's answer to that (not our verification, a timeout, or a refused certificate):
     *         the server now gets the defaults, and the caller should try it again at once
     */
    boolean failed(HostPort server, Offer offer, HandshakeFailure failure) {
        if (offer != Offer.ONE_SHARE || failure.verification()) {
            return false;
        }
        return switch (failure.reason()) {
            case "cipher", "protocol", "handshake" -> {
                servers.put(server, State.DEFAULT_FOR_GOOD);
                yield true;
            }
            default -> false;
        };
    }
}
