package loomproxy.metrics;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import loomproxy.upstream.PeerState;

/**
 * One upstream server as the status page and JMX show it: its group's live state merged with what
 * sessions learnt ({@link PeerMetrics}). {@code state} is SPEC §10's {@code up}, {@code down},
 * {@code unhealthy} (an active health check says so, SPEC §11) or {@code failed} ({@code max_fails});
 * {@code up} is {@code loomproxy_upstream_peer_up}: may be chosen now. {@code health} is each checking
 * server block's latest probe of it, by block name.
 */
public record PeerView(String upstream, String name, String state, boolean up, boolean backup, int sessions,
                       int fails, PeerMetrics metrics, Map<String, RouteMetrics.Check> health) {
    static PeerView of(UpstreamMetrics group, PeerState s, Collection<ServerMetrics> servers) {
        String state = s.down() ? "down" : !s.healthy() ? "unhealthy" : s.failed() ? "failed" : "up";
        String name = s.peer().toString();
        PeerMetrics metrics = group.peers.getOrDefault(name, new PeerMetrics(group.name, name));
        Map<String, RouteMetrics.Check> health = new LinkedHashMap<>();
        for (ServerMetrics server : servers) {
            if (server.upstream == group && server.checking) {
                health.put(server.name, server.lastCheck(name));
            }
        }
        return new PeerView(group.name, name, state, s.usable(), s.peer().backup(), s.conns(), s.fails(), metrics,
                Collections.unmodifiableMap(health));
    }
}
