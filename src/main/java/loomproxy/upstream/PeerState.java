package loomproxy.upstream;

/**
 * One server's state at one moment, read under its group's lock for the status page and the
 * metrics (SPEC §10). {@code failed}: skipped now after {@code max_fails} failures within
 * {@code fail_timeout} (never for a one-server group, which NGINX never marks failed);
 * {@code full}: at {@code max_conns}; {@code healthy}: no active health check says otherwise (SPEC §11).
 */
public record PeerState(Peer peer, int conns, int fails, boolean down, boolean failed, boolean full, boolean healthy) {
    /** May be chosen now, as far as this server's own state goes (a backup also waits for the primaries). */
    public boolean usable() {
        return !down && !failed && !full && healthy;
    }
}
