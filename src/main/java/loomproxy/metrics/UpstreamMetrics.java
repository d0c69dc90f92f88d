package loomproxy.metrics;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import loomproxy.upstream.PeerState;
import loomproxy.upstream.UpstreamGroup;

/**
 * One upstream group as the metrics see it: the live group (for each server's state, read when
 * scraped) and the {@link PeerMetrics} of its servers, by name, so that a group rebuilt by a reload
 * keeps the series of the servers that stay and drops those of the servers that went.
 */
public final class UpstreamMetrics {
    final String name;
    final Map<String, PeerMetrics> peers = new ConcurrentHashMap<>();
    private volatile UpstreamGroup group;
    private volatile Set<String> peerNames = Set.of();

    UpstreamMetrics(String name) {
        this.name = name;
    }

    /** Points at {@code group} (the same or a rebuilt one); series of servers not in it disappear. */
    void use(UpstreamGroup group) {
        this.group = group;
        this.peerNames = group.conns().keySet().stream().map(Object::toString).collect(Collectors.toUnmodifiableSet());
        peers.keySet().retainAll(peerNames);
        peerNames.forEach(this::peer); // every server has its series from the start, at zero
    }

    Set<String> peerNames() {
        return peerNames;
    }

    PeerMetrics peer(String peerName) {
        return peers.computeIfAbsent(peerName, n -> new PeerMetrics(name, n));
    }

    public String name() {
        return name;
    }

    /** Each server as the status page shows it, in the group's order; {@code servers}: the blocks, for their health checks. */
    public List<PeerView> view(Collection<ServerMetrics> servers) {
        return states().stream().map(s -> PeerView.of(this, s, servers)).toList();
    }

    /** Each server's state now, in the group's order (primary servers, then backups); empty when unregistered. */
    List<PeerState> states() {
        UpstreamGroup g = group;
        return g == null ? List.of() : g.states();
    }
}
