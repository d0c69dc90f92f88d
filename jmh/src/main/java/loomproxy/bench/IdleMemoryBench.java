package loomproxy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * Memory per idle session. Each iteration opens {@code sessions} sessions through the proxy, each
 * proven established by a 1-byte echo (so the upstream TLS session and both pumps exist), and leaves
 * them idle; the timed part is opening them. After it, with everything still open, the heap in use
 * after a full GC and the process RSS are compared with the same figures taken before opening:
 * {@code heapBytesPerSession} is the live heap per session; {@code nativeBytesPerSession} is the RSS
 * growth per session, which is memory outside the heap (the heap is fixed and pre-touched, so
 * already resident): socket and poller structures, malloc'd native buffers, carrier stacks.
 *
 * <p>Counted: the proxy's session (two sockets, the session and two pump virtual threads with their
 * stacks, TLS engine and buffers) and the client's plain socket object. Not counted: the upstream,
 * which runs in its own JVM, and kernel socket buffers, which are outside RSS.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
// A fixed, pre-touched heap is resident from the start, so RSS growth is memory outside the heap.
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Djdk.pollerMode=1", "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
@Threads(1)
@State(Scope.Benchmark)
public class IdleMemoryBench {
    @Param({"1000"})
    public int sessions;

    /** proxy_buffer_size: each session holds one such buffer per direction, even when idle. */
    @Param({"16k"})
    public String bufferSize;

    private Rig rig;
    private int measuredIterations;
    private final List<Socket> open = new ArrayList<>();
    private long heapBefore;
    private long rssBefore;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) throws Exception {
        rig = Rig.start("proxy_buffer_size = " + bufferSize + "\n");
        measuredIterations = params.getMeasurement().getCount();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        rig.close();
    }

    @Setup(Level.Iteration)
    public void baseline() throws IOException {
        heapBefore = heapAfterGc();
        rssBefore = rss();
    }

    /** The footprint is measured after the timed part, by {@link #measureAndClose}. */
    @Benchmark
    public void openIdleSessions() throws IOException {
        byte[] one = {'x'};
        byte[] echo = new byte[1];
        for (int i = 0; i < sessions; i++) {
            Socket socket = rig.connect();
            open.add(socket);
            Rig.roundTrip(socket, one, echo);
        }
    }

    /**
     * JMH sums event counters over measurement iterations (AggregationPolicy.SUM), so each iteration
     * reports its share and the printed result is the mean, whatever {@code -i} says.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Footprint {
        public double heapBytesPerSession;
        public double nativeBytesPerSession;
    }

    @TearDown(Level.Iteration)
    public void measureAndClose(Footprint footprint) throws IOException, InterruptedException {
        if (rig.proxy().openSessions() != sessions) {
            throw new IllegalStateException("the proxy has " + rig.proxy().openSessions() + " open sessions, not " + sessions);
        }
        double share = (double) sessions * measuredIterations;
        footprint.heapBytesPerSession = (heapAfterGc() - heapBefore) / share;
        footprint.nativeBytesPerSession = (rss() - rssBefore) / share;
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
        awaitNoSessions();
    }

    private void awaitNoSessions() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (rig.proxy().openSessions() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(rig.proxy().openSessions() + " sessions still open 30 s after their clients closed");
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private static long heapAfterGc() {
        // Two collections: the first may only queue finalizable/cleanable objects (socket cleaners).
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** VmRSS from /proc/self/status (Linux), in bytes. */
    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("/proc/self/status has no VmRSS line: memory per session needs Linux");
    }
}
