package loomproxy.metrics;

import loomproxy.upstream.PeerState;

/**
 * One upstream server as the status page and JMX show it: its group's live state merged with what
 * sessions learnt ({@link PeerMetrics}). {@code state} is SPEC §10's {@code up}, {@code down},
 * {@code failed} or {@code unhealthy} (health checks, not in this version, will set the last);
 * {@code up} is {@code loomproxy_upstream_peer_up}: may be chosen now.
 */
public record PeerView(String upstream, String name, String state, boolean up, boolean backup, int sessions,
                       int fails, PeerMetrics metrics) {
    static PeerView of(UpstreamMetrics group, PeerState s) {
        String state = s.down() ? "down" : s.failed() ? "failed" : "up";
        String name = s.peer().toString();
        PeerMetrics metrics = group.peers.getOrDefault(name, new PeerMetrics(group.name, name));
        return new PeerView(group.name, name, state, s.usable(), s.peer().backup(), s.conns(), s.fails(), metrics);
    }
}
