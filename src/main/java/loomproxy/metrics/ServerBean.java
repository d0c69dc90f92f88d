package loomproxy.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/** {@link ServerMXBean} over one block's {@link ServerMetrics}: every read is live. */
final class ServerBean implements ServerMXBean {
    private final ServerMetrics s;

    ServerBean(ServerMetrics s) {
        this.s = s;
    }

    @Override
    public String getName() {
        return s.name;
    }

    @Override
    public List<String> getListeners() {
        return Jmx.listeners(s);
    }

    @Override
    public long getConnectionsAccepted() {
        return s.acceptedCount();
    }

    @Override
    public long getSessionsActive() {
        return s.active();
    }

    @Override
    public Map<String, Long> getSessionsByStatus() {
        Map<String, Long> out = new LinkedHashMap<>();
        ServerMetrics.STATUSES.forEach(status -> out.put(status, s.ended(status)));
        return out;
    }

    @Override
    public long getClientBytesReceived() {
        return s.bytesReceived.sum();
    }

    @Override
    public long getClientBytesSent() {
        return s.bytesSent.sum();
    }

    @Override
    public String getUpstream() {
        return s.upstream.name;
    }

    @Override
    public long getUpstreamHandshakes() {
        return handshakes(0) + handshakes(1);
    }

    @Override
    public long getUpstreamHandshakesResumed() {
        return handshakes(1);
    }

    @Override
    public Map<String, Long> getUpstreamFailures() {
        Map<String, Long> out = new TreeMap<>();
        s.routes.values().forEach(r -> r.failures.forEach((reason, n) -> out.merge(reason, n.sum(), Long::sum)));
        return out;
    }

    private long handshakes(int resumed) {
        return s.routes.values().stream().flatMap(r -> r.handshakes[resumed].values().stream())
                .mapToLong(LongAdder::sum).sum();
    }
}
