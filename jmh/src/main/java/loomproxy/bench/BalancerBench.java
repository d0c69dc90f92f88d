package loomproxy.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import loomproxy.config.HostPort;
import loomproxy.config.Location;
import loomproxy.config.UpstreamGroupConfig;
import loomproxy.config.UpstreamServer;
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

/**
 * The balancer's per-session work in isolation: smooth weighted round robin over three servers of
 * weights 5, 3 and 1, pick then release, with a fresh tried-set as UpstreamConnector makes for each
 * session. Nothing is connected to; the servers only need names. The two-thread variant shows the
 * cost of the group's lock when sessions start at once.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmn8m", "-Djdk.pollerMode=1", "-Xmx1g"})
@State(Scope.Benchmark)
public class BalancerBench {
    private UpstreamGroup group;

    @Setup(Level.Trial)
    public void start() {
        List<UpstreamServer> servers = List.of(server("backend1.example.com", 5), server("backend2.example.com", 3),
                server("backend3.example.com", 1));
        var config = new UpstreamGroupConfig("backend", servers, new Location(Path.of("bench.properties"), 1));
        group = new UpstreamGroup(config, InstantSource.system());
    }

    /** NGINX's defaults for the other parameters: max_fails 1, fail_timeout 10s, no max_conns. */
    private static UpstreamServer server(String host, int weight) {
        return new UpstreamServer(new HostPort(host, 12345), weight, 1, Duration.ofSeconds(10), 0, false, false);
    }

    @Benchmark
    @Threads(1)
    public Peer pickRelease() {
        return pickAndRelease();
    }

    @Benchmark
    @Threads(2)
    public Peer pickReleaseTwoThreads() {
        return pickAndRelease();
    }

    private Peer pickAndRelease() {
        Peer peer = group.pick(new HashSet<>()).orElseThrow();
        group.release(peer, false);
        return peer;
    }
}
