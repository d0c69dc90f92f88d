import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The load generator of jmh/compare.sh: plain TCP to a proxy (or straight to an echo server),
 * JDK only, run with the source launcher:
 *
 * <pre>
 *   java jmh/load/LoadClient.java throughput --target 127.0.0.1:PORT [--conns 8] [--size 65536] [--warmup 1] [--duration 7]
 *   java jmh/load/LoadClient.java connrate   --target 127.0.0.1:PORT [--conns 16] [--size 32] [--warmup 1] [--duration 6]
 *   java jmh/load/LoadClient.java latency    --target 127.0.0.1:PORT [--size 64] [--warmup 1] [--duration 5]
 *   java jmh/load/LoadClient.java idle       --target 127.0.0.1:PORT [--conns 1000] [--hold 2]   (--hold 0: until a line on stdin)
 * </pre>
 *
 * It shares two cores with the proxy, the upstream and the echo server, so it is built to cost
 * little: blocking platform threads (one read() or write() system call per buffer, no selector
 * round trips), no per-operation allocation, and the bytes are counted, not inspected (throughput
 * checks that every byte sent came back; connrate and idle compare the echoed bytes).
 *
 * Output: progress on stderr; exactly one line on stdout starting with "result mode=MODE", then
 * space-separated key=value pairs. Counts cover the whole run (warm-up included) so that a proxy's
 * CPU time sampled around the run divides by the work it did; rates and percentiles cover only
 * the window after the warm-up. idle also prints "ready open=N" once all its connections are open.
 */
public final class LoadClient {
    record Options(String mode, InetSocketAddress target, int conns, int size, double warmup, double duration, double hold) {}

    /** The first error of a run (the rest are counted): enough to tell a reset from a timeout. */
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final AtomicLong errors = new AtomicLong();
    private final Options options;

    private LoadClient(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws InterruptedException {
        Options options = parse(args);
        LoadClient client = new LoadClient(options);
        String result;
        try {
            result = switch (options.mode()) {
                case "throughput" -> client.throughput();
                case "connrate" -> client.connrate();
                case "latency" -> client.latency();
                case "idle" -> client.idle();
                default -> throw usage("unknown mode " + options.mode());
            };
        } catch (IOException e) {
            System.err.println("LoadClient: " + options.mode() + " against " + options.target() + ": " + e);
            System.exit(1);
            return;
        }
        double cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0);
        String error = client.firstError.get();
        System.out.println("result mode=" + options.mode() + " " + result + " errors=" + client.errors.get()
                + format(" client_cpu_s=%.2f", cpu) + (error == null ? "" : " first_error=\"" + error.replace('"', '\'') + "\""));
        System.exit(client.errors.get() == 0 ? 0 : 1);
    }

    /** N connections, each a writer thread streaming fixed-size writes and a reader thread counting the echo. */
    private String throughput() throws IOException, InterruptedException {
        int n = options.conns();
        Socket[] sockets = new Socket[n];
        for (int i = 0; i < n; i++) {
            sockets[i] = connect();
        }
        long[] sent = new long[n]; // each slot written by its writer only, read after joining it
        AtomicLong echoed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean closing = new AtomicBoolean();
        List<Thread> writers = start(n, "writer-", i -> write(sockets[i], stop, sent, i));
        List<Thread> readers = start(n, "reader-", i -> count(sockets[i], echoed, closing));
        sleep(options.warmup());
        long bytes0 = echoed.get();
        long t0 = System.nanoTime();
        sleep(options.duration());
        long bytes1 = echoed.get();
        long t1 = System.nanoTime();
        stop.set(true);
        joinAll(writers, 10_000);
        long sentTotal = Arrays.stream(sent).sum();
        for (long deadline = System.nanoTime() + 10_000_000_000L; echoed.get() < sentTotal && System.nanoTime() < deadline; ) {
            Thread.sleep(5); // the echo of the last writes is still on its way
        }
        closing.set(true);
        long echoedTotal = echoed.get();
        Arrays.stream(sockets).forEach(LoadClient::close);
        joinAll(readers, 5_000);
        if (echoedTotal != sentTotal) {
            fail("echo incomplete: sent " + sentTotal + " bytes, got back " + echoedTotal);
        }
        double seconds = (t1 - t0) / 1e9;
        return format("conns=%d size=%d seconds=%.3f echoed_mb_per_s=%.2f sent_bytes=%d echoed_bytes=%d moved_bytes=%d",
                n, options.size(), seconds, (bytes1 - bytes0) / seconds / 1e6, sentTotal, echoedTotal, sentTotal + echoedTotal);
    }

    private void write(Socket socket, AtomicBoolean stop, long[] sent, int i) {
        byte[] buffer = pattern(options.size());
        try {
            OutputStream out = socket.getOutputStream();
            while (!stop.get()) {
                out.write(buffer);
                sent[i] += buffer.length;
            }
        } catch (IOException e) {
            fail("writer " + i + ": " + e);
        }
    }

    private void count(Socket socket, AtomicLong echoed, AtomicBoolean closing) {
        byte[] buffer = new byte[65536];
        try {
            InputStream in = socket.getInputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                echoed.addAndGet(n);
            }
            if (!closing.get()) {
                fail("the proxy closed a throughput connection early");
            }
        } catch (IOException e) {
            if (!closing.get()) {
                fail("reader: " + e);
            }
        }
    }

    /** C clients, each in a loop: connect, send SIZE bytes, read them back, close. */
    private String connrate() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicLong windowStart = new AtomicLong(Long.MAX_VALUE);
        List<Samples> samples = IntStream.range(0, options.conns()).mapToObj(i -> new Samples()).toList();
        List<Thread> clients = start(options.conns(), "client-", i -> cycle(stop, done, windowStart, samples.get(i)));
        sleep(options.warmup());
        long done0 = done.get();
        long t0 = System.nanoTime();
        windowStart.set(t0);
        sleep(options.duration());
        long done1 = done.get();
        long t1 = System.nanoTime();
        stop.set(true);
        joinAll(clients, 15_000);
        long[] times = Samples.merge(samples);
        double seconds = (t1 - t0) / 1e9;
        return format("clients=%d size=%d seconds=%.3f conns_per_s=%.1f total_conns=%d p50_ms=%.3f p99_ms=%.3f",
                options.conns(), options.size(), seconds, (done1 - done0) / seconds, done.get(),
                percentile(times, 0.50) / 1e6, percentile(times, 0.99) / 1e6);
    }

    private void cycle(AtomicBoolean stop, AtomicLong done, AtomicLong windowStart, Samples samples) {
        byte[] payload = pattern(options.size());
        byte[] back = new byte[options.size()];
        while (!stop.get()) {
            long started = System.nanoTime();
            try (Socket socket = connect()) {
                socket.getOutputStream().write(payload);
                readFully(socket.getInputStream(), back);
                if (!Arrays.equals(payload, back)) {
                    fail("connrate: echoed bytes differ");
                }
            } catch (IOException e) {
                fail("connrate: " + e);
                sleep(0.01); // a dead proxy must not turn this loop into a spin
                continue;
            }
            done.incrementAndGet();
            if (started >= windowStart.get()) {
                samples.add(System.nanoTime() - started);
            }
        }
    }

    /** One connection, SIZE bytes out, the same SIZE bytes back, as fast as they return. */
    private String latency() throws IOException {
        byte[] payload = pattern(options.size());
        byte[] back = new byte[options.size()];
        Samples samples = new Samples();
        long roundTrips = 0;
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            long windowStart = start + (long) (options.warmup() * 1e9);
            long end = windowStart + (long) (options.duration() * 1e9);
            long now = start;
            while (now < end) {
                out.write(payload);
                readFully(in, back);
                long after = System.nanoTime();
                if (now >= windowStart) {
                    samples.add(after - now);
                }
                roundTrips++;
                now = after;
            }
        }
        long[] times = Samples.merge(List.of(samples));
        double mean = Arrays.stream(times).average().orElse(0);
        return format("size=%d round_trips=%d measured=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f mean_us=%.1f",
                options.size(), roundTrips, times.length, percentile(times, 0.5) / 1e3, percentile(times, 0.9) / 1e3,
                percentile(times, 0.99) / 1e3, percentile(times, 0.999) / 1e3,
                times.length == 0 ? 0 : times[times.length - 1] / 1e3, mean / 1e3);
    }

    /**
     * Opens N connections (16 at a time), each carrying one SIZE-byte round trip so the proxy's
     * upstream side (TLS included) is fully set up, prints "ready", holds them, then checks with a
     * second round trip on each that the proxy kept every one alive.
     */
    private String idle() throws IOException, InterruptedException {
        Socket[] sockets = new Socket[options.conns()];
        long t0 = System.nanoTime();
        int opened = onEach(sockets, true);
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.println(format("ready open=%d seconds=%.2f", opened, openSeconds));
        System.out.flush();
        for (int b = 0; options.hold() <= 0 && b >= 0 && b != '\n'; b = System.in.read()) {
            // --hold 0: a line (or EOF) on stdin ends the hold
        }
        sleep(options.hold());
        int alive = onEach(sockets, false);
        for (Socket socket : sockets) {
            if (socket != null) {
                close(socket);
            }
        }
        return format("conns=%d open=%d open_seconds=%.2f alive_after_hold=%d", options.conns(), opened, openSeconds, alive);
    }

    /** One round trip on every connection (opening it first if {@code open}), 16 threads at a time. */
    private int onEach(Socket[] sockets, boolean open) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        joinAll(start(Math.min(16, sockets.length), "idle-", w -> {
            byte[] payload = pattern(options.size());
            byte[] back = new byte[options.size()];
            for (int i = next.getAndIncrement(); i < sockets.length; i = next.getAndIncrement()) {
                try {
                    sockets[i] = open ? connect() : sockets[i];
                    if (sockets[i] != null) {
                        sockets[i].getOutputStream().write(payload);
                        readFully(sockets[i].getInputStream(), back);
                        ok.incrementAndGet();
                    }
                } catch (IOException e) {
                    fail("idle connection " + i + ": " + e);
                }
            }
        }), 120_000);
        return ok.get();
    }

    /** N platform threads named NAME0, NAME1, ..., each running {@code body} with its number. */
    private static List<Thread> start(int n, String name, IntConsumer body) {
        return IntStream.range(0, n).mapToObj(i -> Thread.ofPlatform().name(name + i).start(() -> body.accept(i))).toList();
    }

    /** Latencies of one thread, in nanoseconds; merged and sorted once at the end. */
    private static final class Samples {
        private long[] values = new long[1 << 16];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        static long[] merge(List<Samples> all) {
            long[] merged = all.stream().flatMapToLong(s -> Arrays.stream(s.values, 0, s.size)).toArray();
            Arrays.sort(merged);
            return merged;
        }
    }

    /** Nearest-rank percentile of sorted values; 0 when there are none. */
    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(options.target(), 5_000);
            // Nothing here waits longer than this for a byte: a stuck proxy fails the run instead of hanging it.
            socket.setSoTimeout(15_000);
            return socket;
        } catch (IOException e) {
            close(socket);
            throw e;
        }
    }

    private void fail(String message) {
        errors.incrementAndGet();
        if (firstError.compareAndSet(null, message)) {
            System.err.println("LoadClient: " + message);
        }
    }

    private static void readFully(InputStream in, byte[] buffer) throws IOException {
        int read = in.readNBytes(buffer, 0, buffer.length);
        if (read < buffer.length) {
            throw new EOFException("EOF after " + read + " of " + buffer.length + " echoed bytes");
        }
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    private void joinAll(List<Thread> threads, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        for (Thread thread : threads) {
            thread.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (thread.isAlive()) {
                fail(thread.getName() + " still busy after " + millis + " ms");
            }
        }
    }

    private static void sleep(double seconds) {
        try {
            Thread.sleep(Math.max(0, (long) (seconds * 1000)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            System.err.println("LoadClient: close: " + e.getMessage());
        }
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }

    private static Options parse(String[] args) {
        if (args.length % 2 == 0) {
            throw usage(args.length == 0 ? "no mode" : "an option without a value");
        }
        Map<String, String> given = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!List.of("--target", "--conns", "--size", "--warmup", "--duration", "--hold").contains(args[i])) {
                throw usage("unknown option " + args[i]);
            }
            given.put(args[i], args[i + 1]);
        }
        String mode = args[0];
        String target = given.get("--target");
        if (target == null || target.lastIndexOf(':') < 0) {
            throw usage("--target HOST:PORT is required");
        }
        String conns = switch (mode) { case "throughput" -> "8"; case "connrate" -> "16"; case "idle" -> "1000"; default -> "1"; };
        String size = switch (mode) { case "throughput" -> "65536"; case "latency" -> "64"; default -> "32"; };
        int colon = target.lastIndexOf(':');
        return new Options(mode, new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))),
                Integer.parseInt(given.getOrDefault("--conns", conns)), Integer.parseInt(given.getOrDefault("--size", size)),
                Double.parseDouble(given.getOrDefault("--warmup", "1")), Double.parseDouble(given.getOrDefault("--duration", "5")),
                Double.parseDouble(given.getOrDefault("--hold", "2")));
    }

    private static IllegalArgumentException usage(String problem) {
        System.err.println("LoadClient: " + problem
                + "; usage: LoadClient throughput|connrate|latency|idle --target HOST:PORT [--conns N] [--size BYTES] [--warmup S] [--duration S] [--hold S]");
        System.exit(2);
        return new IllegalArgumentException(problem);
    }
}
