package loomproxy.metrics;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** {@link PeerMXBean} over one upstream server: its group's live state and every block's counters for it. */
final class PeerBean implements PeerMXBean {
    private final Metrics metrics;
    private final UpstreamMetrics group;
    private final String name;

    PeerBean(Metrics metrics, UpstreamMetrics group, String name) {
        this.metrics = metrics;
        this.group = group;
        this.name = name;
    }

    private Optional<PeerView> view() {
        return group.view(metrics.servers()).stream().filter(v -> v.name().equals(name)).findFirst();
    }

    private PeerMetrics peer() {
        return group.peers.getOrDefault(name, new PeerMetrics(group.name, name));
    }

    @Override
    public String getUpstream() {
        return group.name;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getState() {
        return view().map(PeerView::state).orElse("removed");
    }

    @Override
    public boolean isUp() {
        return group.view(metrics.servers()).stream().anyMatch(v -> v.name().equals(name) && v.up());
    }

    @Override
    public boolean isBackup() {
        return view().map(PeerView::backup).orElse(false);
    }

    @Override
    public int getSessionsActive() {
        return group.view(metrics.servers()).stream().filter(v -> v.name().equals(name)).mapToInt(PeerView::sessions).sum();
    }

    @Override
    public int getFails() {
        return view().map(PeerView::fails).orElse(0);
    }

    @Override
    public long getLastFailureTime() {
        PeerMetrics.Failure f = peer().lastFailure;
        return f == null ? 0 : f.time().toEpochMilli();
    }

    @Override
    public String getLastFailureReason() {
        PeerMetrics.Failure f = peer().lastFailure;
        return f == null ? "" : f.reason();
    }

    @Override
    public long getConnects() {
        return peer().connect.snapshot().count();
    }

    @Override
    public double getConnectSecondsTotal() {
        return peer().connect.snapshot().sumSeconds();
    }

    @Override
    public long getHandshakesFull() {
        return peer().handshake[0].snapshot().count();
    }

    @Override
    public long getHandshakesResumed() {
        return peer().handshake[1].snapshot().count();
    }

    @Override
    public double getHandshakeSecondsTotal() {
        return peer().handshake[0].snapshot().sumSeconds() + peer().handshake[1].snapshot().sumSeconds();
    }

    @Override
    public Map<String, Long> getFailures() {
        Map<String, Long> out = new TreeMap<>();
        for (ServerMetrics s : metrics.servers()) {
            RouteMetrics r = s.upstream == group ? s.routes.get(name) : null;
            if (r != null) {
                r.failures.forEach((reason, n) -> out.merge(reason, n.sum(), Long::sum));
            }
        }
        return out;
    }

    @Override
    public String getCertificateSubject() {
        Expiry c = peer().certificate;
        return c == null ? "" : c.name();
    }

    @Override
    public long getCertificateNotAfter() {
        Expiry c = peer().certificate;
        return c == null ? 0 : c.at().toEpochMilli();
    }
}
