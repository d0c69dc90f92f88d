package loomproxy.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import loomproxy.config.HostPort;
import loomproxy.config.Location;
import loomproxy.config.UpstreamGroupConfig;
import loomproxy.config.UpstreamServer;
import loomproxy.metrics.Metrics;
import loomproxy.metrics.RouteMetrics;
import loomproxy.metrics.ServerMetrics;
import loomproxy.upstream.Peer;
import loomproxy.upstream.UpstreamGroup;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the metrics cost a session, in isolation: every call the data path makes for one session
 * that connects, resumes a TLS handshake and ends with status 200 (Listener: accepted; the
 * connector: the route, a connect time, a handshake; Sessions: ended with its bytes), against a
 * baseline that only hands the same values to a Blackhole (what a no-op registry would cost). The
 * two-thread variant shows contention when sessions of one block end at once; {@code scrape} is
 * one GET /metrics of a registry of 4 blocks and 32 upstream servers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmn8m", "-Djdk.pollerMode=1", "-Xmx1g"})
@State(Scope.Benchmark)
public class MetricsBench {
    private ServerMetrics server;
    private Peer peer;
    private Metrics large;

    @Setup(Level.Trial)
    public void start() {
        Metrics metrics = new Metrics(Path.of("bench.properties"), InstantSource.system());
        UpstreamGroup group = group("backend", 3);
        server = metrics.register("main", group, Optional.empty());
        peer = group.conns().keySet().iterator().next();

        large = new Metrics(Path.of("bench.properties"), InstantSource.system());
        for (int g = 0; g < 4; g++) {
            UpstreamGroup eight = group("group" + g, 8);
            ServerMetrics s = large.register("server" + g, eight, Optional.empty());
            for (Peer p : eight.conns().keySet()) {
                s.accepted();
                s.route(p).connected(300_000);
                s.route(p).handshake("TLSv1.3", false, 3_000_000, null);
                s.route(p).failed("connect_refused");
                s.ended(200, 100, 100);
            }
        }
    }

    private static UpstreamGroup group(String name, int servers) {
        List<UpstreamServer> list = new ArrayList<>();
        for (int i = 1; i <= servers; i++) {
            list.add(new UpstreamServer(new HostPort("backend" + i + ".example.com", 12345), 1, 1, Duration.ofSeconds(10),
                    0, false, false));
        }
        return new UpstreamGroup(new UpstreamGroupConfig(name, list, new Location(Path.of("bench.properties"), 1)),
                InstantSource.system());
    }

    @Benchmark
    @Threads(1)
    public void sessionBookkeeping() {
        session();
    }

    @Benchmark
    @Threads(2)
    public void sessionBookkeepingTwoThreads() {
        session();
    }

    /** The same values, consumed instead of counted: the floor a no-op registry would give. */
    @Benchmark
    @Threads(1)
    public void baseline(Blackhole hole) {
        hole.consume(server);
        hole.consume(peer);
        hole.consume(250_000L);
        hole.consume("TLSv1.3");
        hole.consume(1_500_000L);
        hole.consume(200);
        hole.consume(64L);
    }

    @Benchmark
    @Threads(1)
    public int scrape() {
        return large.scrape().length();
    }

    private void session() {
        server.accepted();
        RouteMetrics route = server.route(peer);
        route.connected(250_000);
        route.handshake("TLSv1.3", true, 1_500_000, null);
        server.ended(200, 64, 64);
    }
}
