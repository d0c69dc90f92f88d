import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

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

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        LoadClient client = new LoadClient(options);
        String result = switch (options.mode()) {
            case "throughput" -> client.throughput();
            case "connrate" -> client.connrate();
            case "latency" -> client.latency();
            case "idle" -> client.idle();
            default -> throw usage("unknown mode " + options.mode());
        };
        double cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0);
        String error = client.firstError.get();
        System.out.println("result mode=" + options.mode() + " " + result + " errors=" + client.errors.get()
                + format(" client_cpu_s=%.2f", cpu) + (error == null ? "" : " first_error=\"" + error.replace('"', '\'') + "\""));
        System.exit(client.errors.get() == 0 ? 0 : 1);
    }

    // ---------------------------------------------------------------- throughput

    /** N connections, each a writer thread streaming fixed-size writes and a reader thread counting the echo. */
    private String throughput() throws InterruptedException {
        int n = options.conns();
        Socket[] sockets = new Socket[n];
        long[] sent = new long[n];
        AtomicLong[] echoed = new AtomicLong[n];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean closing = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c = i;
            sockets[c] = connectOrExit();
            echoed[c] = new AtomicLong();
            writers.add(Thread.ofPlatform().name("writer-" + c).start(() -> write(sockets[c], sent, c, stop)));
            readers.add(Thread.ofPlatform().name("reader-" + c).start(() -> count(sockets[c], echoed[c], closing)));
        }
        sleep(options.warmup());
        long bytes0 = sum(echoed);
        long t0 = System.nanoTime();
        sleep(options.duration());
        long bytes1 = sum(echoed);
        long t1 = System.nanoTime();
        stop.set(true);
        joinAll(writers, 10_000);
        long totalSent = Arrays.stream(sent).sum();
        long drainDeadline = System.nanoTime() + 10_000_000_000L;
        while (sum(echoed) < totalSent && System.nanoTime() < drainDeadline) {
            Thread.sleep(5);
        }
        closing.set(true);
        long totalEchoed = sum(echoed);
        for (Socket socket : sockets) {
            close(socket);
        }
        joinAll(readers, 5_000);
        if (totalEchoed != totalSent) {
            fail("echo incomplete: sent " + totalSent + " bytes, got back " + totalEchoed);
        }
        double seconds = (t1 - t0) / 1e9;
        return format("conns=%d size=%d seconds=%.3f echoed_mb_per_s=%.2f sent_bytes=%d echoed_bytes=%d moved_bytes=%d",
                n, options.size(), seconds, (bytes1 - bytes0) / seconds / 1e6, totalSent, totalEchoed, totalSent + totalEchoed);
    }

    private void write(Socket socket, long[] sent, int c, AtomicBoolean stop) {
        byte[] buffer = pattern(options.size());
        try {
            OutputStream out = socket.getOutputStream();
            while (!stop.get()) {
                out.write(buffer);
                sent[c] += buffer.length; // read by the main thread only after join()
            }
        } catch (IOException e) {
            fail("writer " + c + ": " + e);
        }
    }

    private void count(Socket socket, AtomicLong echoed, AtomicBoolean closing) {
        byte[] buffer = new byte[65536];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
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

    // ---------------------------------------------------------------- connrate

    /** C clients, each in a loop: connect, send SIZE bytes, read them back, close. */
    private String connrate() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicLong windowStart = new AtomicLong(Long.MAX_VALUE);
        List<Samples> samples = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < options.conns(); i++) {
            Samples mine = new Samples();
            samples.add(mine);
            clients.add(Thread.ofPlatform().name("client-" + i).start(() -> cycle(stop, done, windowStart, mine)));
        }
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

    // ---------------------------------------------------------------- latency

    /** One connection, SIZE bytes out, the same SIZE bytes back, as fast as they return. */
    private String latency() throws IOException {
        byte[] payload = pattern(options.size());
        byte[] back = new byte[options.size()];
        Samples samples = new Samples();
        long roundTrips = 0;
        try (Socket socket = connectOrExit()) {
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

    // ---------------------------------------------------------------- idle

    /**
     * Opens N connections (16 at a time), each carrying one SIZE-byte round trip so the proxy's
     * upstream side (TLS included) is fully set up, prints "ready", holds them, then checks with a
     * second round trip on each that the proxy kept every one alive.
     */
    private String idle() throws Exception {
        Socket[] sockets = new Socket[options.conns()];
        long t0 = System.nanoTime();
        int opened = onEach(sockets, true);
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.println(format("ready open=%d seconds=%.2f", opened, openSeconds));
        System.out.flush();
        if (options.hold() > 0) {
            sleep(options.hold());
        } else {
            int b;
            do {
                b = System.in.read(); // a line (or EOF) on stdin ends the hold
            } while (b >= 0 && b != '\n');
        }
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
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < Math.min(16, sockets.length); w++) {
            workers.add(Thread.ofPlatform().start(() -> {
                byte[] payload = pattern(options.size());
                byte[] back = new byte[options.size()];
                for (int i = next.getAndIncrement(); i < sockets.length; i = next.getAndIncrement()) {
                    try {
                        if (open) {
                            sockets[i] = connect();
                        }
                        if (sockets[i] == null) {
                            continue;
                        }
                        sockets[i].getOutputStream().write(payload);
                        readFully(sockets[i].getInputStream(), back);
                        ok.incrementAndGet();
                    } catch (IOException e) {
                        fail("idle connection " + i + ": " + e);
                    }
                }
            }));
        }
        joinAll(workers, 120_000);
        return ok.get();
    }

    // ---------------------------------------------------------------- helpers

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

    private Socket connectOrExit() {
        try {
            return connect();
        } catch (IOException e) {
            System.err.println("LoadClient: cannot connect to " + options.target() + ": " + e.getMessage());
            System.exit(1);
            return null;
        }
    }

    private void fail(String message) {
        errors.incrementAndGet();
        if (firstError.compareAndSet(null, message)) {
            System.err.println("LoadClient: " + message);
        }
    }

    private static void readFully(InputStream in, byte[] buffer) throws IOException {
        int read = 0;
        while (read < buffer.length) {
            int n = in.read(buffer, read, buffer.length - read);
            if (n < 0) {
                throw new EOFException("EOF after " + read + " of " + buffer.length + " echoed bytes");
            }
            read += n;
        }
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    private static long sum(AtomicLong[] counters) {
        return Arrays.stream(counters).mapToLong(AtomicLong::get).sum();
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
            Thread.sleep((long) (seconds * 1000));
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
        if (args.length == 0) {
            throw usage("no mode");
        }
        String mode = args[0];
        InetSocketAddress target = null;
        int conns = switch (mode) { case "throughput" -> 8; case "connrate" -> 16; case "idle" -> 1000; default -> 1; };
        int size = switch (mode) { case "throughput" -> 65536; case "latency" -> 64; default -> 32; };
        double warmup = 1;
        double duration = 5;
        double hold = 2;
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw usage("missing value after " + args[i]);
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--target" -> {
                    int colon = value.lastIndexOf(':');
                    target = new InetSocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
                }
                case "--conns" -> conns = Integer.parseInt(value);
                case "--size" -> size = Integer.parseInt(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--duration" -> duration = Double.parseDouble(value);
                case "--hold" -> hold = Double.parseDouble(value);
                default -> throw usage("unknown option " + args[i]);
            }
        }
        if (target == null) {
            throw usage("--target HOST:PORT is required");
        }
        return new Options(mode, target, conns, size, warmup, duration, hold);
    }

    private static IllegalArgumentException usage(String problem) {
        System.err.println("LoadClient: " + problem
                + "; usage: LoadClient throughput|connrate|latency|idle --target HOST:PORT [--conns N] [--size BYTES] [--warmup S] [--duration S] [--hold S]");
        System.exit(2);
        return new IllegalArgumentException(problem);
    }
}
