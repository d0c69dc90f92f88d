package loomproxy.upstream;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import loomproxy.config.HostPort;
import loomproxy.config.UpstreamServer;

/**
 * One server of an upstream group, with the state NGINX keeps in
 * {@code ngx_stream_upstream_rr_peer_t} under the same names. The mutable fields belong to the
 * owning {@link UpstreamGroup} and are read and written only while it holds its lock.
 * Equality is identity: a group may list the same address twice and NGINX keeps both.
 *
 * <p>A server written as a name is one peer per address the name resolved to (SPEC §11, as NGINX):
 * {@link #address} is then {@code IP:port} ($upstream_addr, the {@code peer} label) and {@link #host}
 * the name as written (SNI and the name checked).
 */
public final class Peer {
    /** NGINX allocates peers zeroed: "never checked" and "never accessed" lie before any clock reading. */
    private static final Instant NEVER = Instant.MIN;

    private final String host;
    private final HostPort address;
    /** Null for a server taken as written (tests of balancing): looked up at each connect. */
    private final InetAddress resolved;
    private final int weight;
    private final int maxFails;
    private final Duration failTimeout;
    private final int maxConns;
    private final boolean backup;
    private final boolean down;

    /**
     * A long, as NGINX's 64-bit ngx_int_t: a pick moves it by up to the sum of the group's weights,
     * which for two servers of the largest weight the configuration accepts (2147483647) is past an int.
     */
    long currentWeight;
    int effectiveWeight;
    int conns;
    int fails;
    Instant accessed = NEVER;
    Instant checked = NEVER;
    /**
     * The server blocks whose active health check says this server is unhealthy (SPEC §11): it is
     * chosen only while every check says healthy, so only while this is empty.
     */
    final Set<String> unhealthyBy = new HashSet<>(2);
    /** DNS no longer returns this address: it is not chosen, and leaves the group when its connections end. */
    boolean draining;

    /** The server as written, looked up at each connect. */
    Peer(UpstreamServer server) {
        this(server, null);
    }

    /** The server at one of the addresses its name resolved to; null: as written. */
    Peer(UpstreamServer server, InetAddress resolved) {
        this.host = server.address().host();
        this.resolved = resolved;
        this.address = resolved == null ? server.address() : new HostPort(literal(resolved), server.address().port());
        this.weight = server.weight();
        this.maxFails = server.maxFails();
        this.failTimeout = server.failTimeout();
        this.maxConns = server.maxConns();
        this.backup = server.backup();
        this.down = server.down();
        this.effectiveWeight = weight;
    }

    /**
     * Takes over {@code old}'s failure and health state after a reload (both groups' locks held). The effective
     * weight is kept as far as this server's weight allows; connections are not moved.
     */
    void inherit(Peer old) {
        fails = old.fails;
        accessed = old.accessed;
        checked = old.checked;
        unhealthyBy.addAll(old.unhealthyBy);
        effectiveWeight = Math.min(weight, Math.max(0, old.effectiveWeight));
    }

    public HostPort address() {
        return address;
    }

    /** The server's name as written: the default proxy_ssl_name (SNI, and the name its certificate must carry). */
    public String host() {
        return host;
    }

    /** The address the name resolved to; null for a server taken as written. */
    InetAddress resolved() {
        return resolved;
    }

    /**
     * Where to connect: this server's address at {@code port} (its own, or a health check's
     * {@code port=}). Never a lookup for a resolved server: the data path does no DNS.
     */
    public InetSocketAddress socketAddress(int port) {
        return resolved != null ? new InetSocketAddress(resolved, port) : new InetSocketAddress(host, port);
    }

    /**
     * An address as NGINX writes it: IPv4 dotted, IPv6 in RFC 5952's short form ({@code ::1},
     * {@code 2001:db8::9}) without a zone; HostPort adds the brackets.
     */
    static String literal(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952 §4.2.2: "::" never stands for one group
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    public boolean backup() {
        return backup;
    }

    @Override
    public String toString() {
        return address.toString();
    }

    int weight() {
        return weight;
    }

    boolean down() {
        return down;
    }

    /** Every active health check of this server says so (or none checks it). */
    boolean healthy() {
        return unhealthyBy.isEmpty();
    }

    /** NGINX: {@code max_conns && conns >= max_conns}. */
    boolean full() {
        return maxConns > 0 && conns >= maxConns;
    }

    /** NGINX: {@code max_fails && fails >= max_fails && now - checked <= fail_timeout}. */
    boolean failed(Instant now) {
        return maxFails > 0 && fails >= maxFails && !now.isAfter(checked.plus(failTimeout));
    }

    /**
     * Moves the start of the counting window when the previous one has ended, so that a success
     * released after this pick ({@code accessed < checked}) clears the failures.
     */
    void check(Instant now) {
        if (now.isAfter(checked.plus(failTimeout))) {
            checked = now;
        }
    }

    /**
     * NGINX's {@code NGX_PEER_FAILED} branch of {@code free_round_robin_peer}: counts the failure,
     * restarts the window and lowers {@code effective_weight} by {@code weight / max_fails}.
     *
     * @return true when {@code fails} is at or over {@code max_fails}: the server is now skipped
     *         for {@code fail_timeout} ("temporarily disabled", logged on every such failure)
     */
    boolean fail(Instant now) {
        fails++;
        accessed = now;
        checked = now;
        boolean disabled = false;
        if (maxFails > 0) {
            effectiveWeight -= weight / maxFails;
            disabled = fails >= maxFails;
        }
        effectiveWeight = Math.max(effectiveWeight, 0);
        return disabled;
    }

    /** NGINX's "mark peer live if check passed": only a success after a newer check clears fails. */
    void succeed() {
        if (accessed.isBefore(checked)) {
            fails = 0;
        }
    }
}
