package loomproxy.bench;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * New sessions per second: per operation a client connects to the proxy, sends 32 bytes, reads
 * the echo and closes, so the proxy accepts, picks the upstream, connects, does a mutual-TLS
 * handshake with chain and name verification, relays both ways and tears down. One client thread:
 * each session waits for the previous one, which is the handshake's latency as much as its cost.
 *
 * <p>Besides the rate it reports, from the upstream's side, {@code upstreamResumedPercent} (how many
 * handshakes the upstream saw resume a session) and {@code upstreamCpuUsPerSession} (the upstream
 * JVM's own CPU per session, for comparison with the proxy's {@code cpu}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// JSSE's handshake code runs a few dozen methods once per connection: C2 needs a few thousand
// connections to compile them, hence the longer warm-up than the bulk benchmarks need.
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmn8m", "-Djdk.pollerMode=1", "-Xmx1g"})
@Threads(1)
@State(Scope.Benchmark)
public class HandshakeBench {
    @Param({"on", "off"})
    public String reuse;

    @Param({"TLSv1.2", "TLSv1.3"})
    public String protocol;

    private Rig rig;
    private int measuredIterations;
    private long sessions;
    private long sessionsBefore;
    private EchoUpstream.Summary upstreamBefore;
    private final byte[] out = "32 bytes from a loomproxy bench\n".getBytes(StandardCharsets.US_ASCII);
    private final byte[] in = new byte[32];

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) throws Exception {
        rig = Rig.start("proxy_ssl_session_reuse = " + reuse + "\nproxy_ssl_protocols = " + protocol + "\n");
        measuredIterations = params.getMeasurement().getCount();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        rig.close();
    }

    @Setup(Level.Iteration)
    public void markIteration() throws IOException {
        sessionsBefore = sessions;
        upstreamBefore = rig.upstreamSummary();
    }

    /**
     * JMH sums event counters over measurement iterations (AggregationPolicy.SUM), so each iteration
     * reports its share and the printed result is the mean, whatever {@code -i} says.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class UpstreamView {
        public double upstreamResumedPercent;
        public double upstreamCpuUsPerSession;
    }

    @TearDown(Level.Iteration)
    public void readUpstream(UpstreamView view) throws IOException {
        EchoUpstream.Summary seen = rig.upstreamSummary().since(upstreamBefore);
        long count = sessions - sessionsBefore;
        if (seen.handshakes() < count) {
            throw new IllegalStateException("the upstream saw " + seen.handshakes() + " handshakes for " + count + " sessions");
        }
        view.upstreamResumedPercent = 100.0 * seen.resumed() / Math.max(1, seen.handshakes()) / measuredIterations;
        view.upstreamCpuUsPerSession = seen.cpuNanos() / 1000.0 / Math.max(1, count) / measuredIterations;
    }

    @Benchmark
    public void connectEchoClose() throws IOException {
        try (Socket socket = rig.connect()) {
            Rig.roundTrip(socket, out, in);
        }
        sessions++;
        if (!Arrays.equals(out, in)) {
            throw new IOException("the echo through the proxy differs from what was sent");
        }
    }
}
