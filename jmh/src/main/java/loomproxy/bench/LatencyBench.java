package loomproxy.bench;

import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Small-message round trip over one established session: 64 bytes to the upstream echo and back
 * through the proxy, one at a time, sampled (JMH prints p50, p90, p99, p99.9 ...). Each round trip
 * wakes four threads in turn (the proxy's two pumps, the upstream's echo, the client) on 2 cores,
 * so this is mostly scheduling and loopback latency plus two TLS records each way.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmn8m", "-Djdk.pollerMode=1", "-Xmx1g"})
@Threads(1)
@State(Scope.Benchmark)
public class LatencyBench {
    private Rig rig;
    private Socket socket;
    private final byte[] out = new byte[64];
    private final byte[] in = new byte[64];

    @Setup(Level.Trial)
    public void start() throws Exception {
        Arrays.fill(out, (byte) 'x');
        rig = Rig.start("");
        socket = rig.connect();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        try (Rig closingRig = rig; Socket closingSocket = socket) {
            pingPong();
            if (!Arrays.equals(out, in)) {
                throw new IOException("the echo through the proxy differs from what was sent");
            }
        }
    }

    @Benchmark
    public void pingPong() throws IOException {
        Rig.roundTrip(socket, out, in);
    }
}
