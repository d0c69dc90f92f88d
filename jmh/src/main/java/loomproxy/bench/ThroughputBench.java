package loomproxy.bench;

import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Bulk data through the proxy: each benchmark thread owns one long session and, per operation,
 * writes 64 KiB and reads the same 64 KiB back (client → proxy → TLS → upstream echo → proxy → client).
 * So one operation moves 64 KiB each way through the proxy, decrypting and encrypting it once each.
 * {@code payloadMiB} is the payload rate in one direction; the CPU profiler's {@code cpu} is per 64 KiB echoed.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmn8m", "-Djdk.pollerMode=1", "-Xmx1g"})
@State(Scope.Benchmark)
public class ThroughputBench {
    static final int CHUNK = 64 * 1024;

    Rig rig;

    @Setup(Level.Trial)
    public void start() throws Exception {
        rig = Rig.start("");
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        rig.close();
    }

    /** One session per benchmark thread, opened before measuring. */
    @State(Scope.Thread)
    public static class Session {
        Socket socket;
        final byte[] out = new byte[CHUNK];
        final byte[] in = new byte[CHUNK];

        @Setup(Level.Trial)
        public void open(ThroughputBench bench) throws IOException {
            ThreadLocalRandom.current().nextBytes(out);
            socket = bench.rig.connect();
        }

        /** Checks the echo once more, so a proxy that corrupts data cannot post a fast number. */
        @TearDown(Level.Trial)
        public void close() throws IOException {
            try (Socket closing = socket) {
                echo();
                if (!Arrays.equals(out, in)) {
                    throw new IOException("the echo through the proxy differs from what was sent");
                }
            }
        }

        void echo() throws IOException {
            Rig.roundTrip(socket, out, in);
        }
    }

    /** Payload echoed per second, in MiB (one direction). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Rate {
        public double payloadMiB;
    }

    @Benchmark
    @Threads(1)
    public void oneSession(Session session, Rate rate) throws IOException {
        session.echo();
        rate.payloadMiB += CHUNK / 1048576.0;
    }

    @Benchmark
    @Threads(8)
    public void eightSessions(Session session, Rate rate) throws IOException {
        session.echo();
        rate.payloadMiB += CHUNK / 1048576.0;
    }
}
