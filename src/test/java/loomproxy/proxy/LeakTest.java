package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import loomproxy.testkit.Bytes;
import loomproxy.testkit.DrippingUpstream;
import loomproxy.testkit.EchoServer;
import loomproxy.testkit.FullBacklog;
import loomproxy.testkit.MutualTls;
import loomproxy.testkit.Ports;
import loomproxy.testkit.ResetMidTransfer;
import loomproxy.testkit.StalledUpstream;
import loomproxy.testkit.TestProxy;
import loomproxy.testkit.Wait;
import loomproxy.upstream.Peer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions leave nothing behind (SPEC §5: every socket closed on every path; §9: counters never
 * leak). After 1,000 sessions of every kind — good ones (mutual TLS, resumed and full, TLS 1.2 and
 * 1.3), refused upstreams, failed verifications, resets from either side, idle timeouts, and
 * sessions aborted by the shutdown of a second proxy while stuck in a connect, a handshake or a
 * relay — the process has the platform threads and file descriptors it had before, no session or
 * pump thread is left, and every upstream server's {@code max_conns} count is back to 0.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LeakTest {
    private static final int SESSIONS = 1_000;
    /** Sessions in each shutdown cycle of a second proxy: two stuck in each of four places. */
    private static final int PER_ABORT = 8;
    private static final int ABORT_CYCLES = 5;
    private static final int CLIENTS = 16;
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** Threads the JDK's ForkJoinPools may have added and still keep idle (see {@link Resources#within}). */
    private static final int JDK_POOL_SLACK = 2;
    /** The JDK's JSON thread dump names a virtual thread right after marking it virtual. */
    private static final Pattern VIRTUAL = Pattern.compile("\"virtual\": true,\\s*\"name\": \"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    static Path pkiDir;
    @TempDir
    Path dir;

    static MutualTls tls;
    static MutualTls stranger;

    @BeforeAll
    static void pki() throws IOException {
        tls = MutualTls.in(Files.createDirectories(pkiDir.resolve("leak")), "Leak", 0);
        stranger = MutualTls.in(Files.createDirectories(pkiDir.resolve("stranger")), "Stranger", 0);
    }

    /** What one client does, in which server block of the long-lived proxy. */
    enum Kind {
        RESUMED("resumed"), FULL("full"), TLS12("tls12"), REFUSED("refused"), WRONG_NAME("wrongname"),
        UNTRUSTED("untrusted"), CLIENT_RESET("resumed"), UPSTREAM_RESET("reset"), IDLE("idle");

        final String block;

        Kind(String block) {
            this.block = block;
        }
    }

    @Test
    void aThousandMixedSessionsLeaveNoThreadNoDescriptorAndNoUpstreamSlot() throws Exception {
        int refused = Ports.closed();
        try (EchoServer mutual = tls.echo(true);
             EchoServer untrusted = stranger.echo(false);
             ResetMidTransfer resetting = new ResetMidTransfer(tls.server().serverContext(), new byte[0]);
             TestProxy proxy = TestProxy.start(dir, config(mutual.port(), refused, untrusted.port(), resetting.port()))) {
            // Warm-up: every path once or twice, so what the JDK makes lazily and then keeps (the
            // I/O pollers and their epoll descriptors, classes, jar files, SecureRandom's
            // /dev/urandom, the virtual thread scheduler's carriers) is in the baseline.
            run(proxy, tasks(2 * Kind.values().length, 1));
            awaitQuiet(proxy, mutual, untrusted);
            Resources baseline = Resources.now(dir);
            int logged = proxy.access().lines().size();

            long started = System.nanoTime();
            run(proxy, tasks(SESSIONS - ABORT_CYCLES * PER_ABORT, ABORT_CYCLES));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            awaitQuiet(proxy, mutual, untrusted);
            List<String> lines = proxy.access().lines();
            checkOutcomes(proxy, lines.subList(logged, lines.size()), SESSIONS - ABORT_CYCLES * PER_ABORT);
            assertEquals(Map.of(), leakedSlots(proxy.proxy()), "upstream max_conns slots still taken");
            Resources[] after = new Resources[1];
            Wait.until(() -> (after[0] = Resources.now(dir)).within(baseline), SETTLE, Duration.ofMillis(250), // a thread dump each
                    () -> "not back to the baseline " + SETTLE.toSeconds() + "s after the sessions ended\nbefore: "
                            + baseline + "\nafter:  " + after[0] + "\n" + after[0].difference(baseline));
            System.out.printf("LeakTest: %d sessions in %d ms; before: %s; after: %s%n", SESSIONS, tookMillis,
                    baseline, after[0]);
        }
    }

    private static String config(int mutual, int refused, int untrusted, int resetting) {
        return tls.proxyConfig("127.0.0.1:" + mutual, """
                proxy_connect_timeout = 20s
                log_format.leak = $server_port $status $upstream_ssl_session_reused $upstream_ssl_verify
                access_log = stdout leak
                server.resumed.listen = 127.0.0.1:0
                server.resumed.proxy_pass = backend
                server.full.listen = 127.0.0.1:0
                server.full.proxy_pass = backend
                server.full.proxy_ssl_session_reuse = off
                server.tls12.listen = 127.0.0.1:0
                server.tls12.proxy_pass = backend
                server.tls12.proxy_ssl_protocols = TLSv1.2
                server.refused.listen = 127.0.0.1:0
                server.refused.proxy_pass = 127.0.0.1:%d
                server.wrongname.listen = 127.0.0.1:0
                server.wrongname.proxy_pass = backend
                server.wrongname.proxy_ssl_name = wrong.example
                server.untrusted.listen = 127.0.0.1:0
                server.untrusted.proxy_pass = 127.0.0.1:%d
                server.reset.listen = 127.0.0.1:0
                server.reset.proxy_pass = 127.0.0.1:%d
                server.idle.listen = 127.0.0.1:0
                server.idle.proxy_pass = backend
                server.idle.proxy_timeout = 200ms
                """.formatted(refused, untrusted, resetting));
    }

    /** {@code mixed} sessions of the kinds in turn and {@code aborts} shutdown cycles, shuffled (seeded). */
    private List<Task> tasks(int mixed, int aborts) {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < mixed; i++) {
            Kind kind = Kind.values()[i % Kind.values().length];
            int n = i;
            tasks.add(new Task(kind.name(), proxy -> session(proxy, kind, n)));
        }
        for (int i = 0; i < aborts; i++) {
            tasks.add(new Task("shutdown with " + PER_ABORT + " sessions open", proxy -> abortCycle()));
        }
        Collections.shuffle(tasks, new Random(42));
        return tasks;
    }

    private record Task(String what, Client client) {}

    private interface Client {
        void run(TestProxy proxy) throws Exception;
    }

    /** Runs the tasks on {@link #CLIENTS} virtual threads; any failure fails the test, naming the task. */
    private static void run(TestProxy proxy, List<Task> tasks) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<AssertionError> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(Thread.ofVirtual().name("leak client " + c).start(() -> {
                for (int i; (i = next.getAndIncrement()) < tasks.size(); ) {
                    try {
                        tasks.get(i).client().run(proxy);
                    } catch (Throwable e) {
                        failures.add(new AssertionError("task " + i + " (" + tasks.get(i).what() + "): " + e, e));
                    }
                }
            }));
        }
        for (Thread client : clients) {
            assertTrue(client.join(Duration.ofSeconds(150)), "the clients did not finish");
        }
        if (!failures.isEmpty()) {
            AssertionError first = failures.poll();
            failures.forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void session(TestProxy proxy, Kind kind, int n) throws IOException {
        try (Socket client = proxy.connect(kind.block)) {
            switch (kind) {
                case RESUMED, FULL, TLS12 -> echo(client, n);
                case REFUSED, WRONG_NAME, UNTRUSTED ->
                        assertEquals(0, Bytes.readToEof(client.getInputStream()).length, "502: closed at once");
                case CLIENT_RESET -> {
                    echo(client, n);
                    client.setSoLinger(true, 0); // the close below resets
                }
                case UPSTREAM_RESET -> {
                    Bytes.write(client, "cut");
                    assertThrows(IOException.class, () -> Bytes.readToEof(client.getInputStream()),
                            "a cut stream must not end like a whole one");
                }
                case IDLE -> // nothing sent, so how busy the machine is cannot make it anything but idle
                        assertEquals(0, Bytes.readToEof(client.getInputStream()).length, "proxy_timeout closes in order");
            }
        }
    }

    private static void echo(Socket client, int n) throws IOException {
        String text = "session " + n;
        Bytes.write(client, text);
        assertEquals(text, Bytes.readString(client, text.getBytes(StandardCharsets.UTF_8).length));
    }

    /**
     * A second proxy shut down with sessions it cannot finish: two stuck in a TCP connect (a full
     * backlog), two in a handshake (an upstream dripping one byte at a time), two relaying to an
     * upstream that never reads, two relaying to an echo. Its shutdown_timeout passes, it resets
     * them, and everything it had is gone: sessions, threads, descriptors, max_conns slots.
     */
    private void abortCycle() throws Exception {
        Path doomedDir = Files.createTempDirectory(dir, "doomed");
        try (FullBacklog backlog = new FullBacklog();
             DrippingUpstream dripping = new DrippingUpstream(Duration.ofMillis(200));
             StalledUpstream stalled = new StalledUpstream(tls.server().serverContext());
             EchoServer echo = tls.echo(true);
             TestProxy doomed = TestProxy.start(doomedDir, doomedConfig(backlog, dripping, stalled, echo))) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (String block : List.of("backlog", "dripping", "stalled", "echo")) {
                    for (int i = 0; i < PER_ABORT / 4; i++) {
                        Socket client = doomed.connect(block);
                        clients.add(client);
                        if (block.equals("stalled") || block.equals("echo")) {
                            Bytes.write(client, "held");
                        }
                        if (block.equals("echo")) {
                            assertEquals("held", Bytes.readString(client, 4));
                        }
                    }
                }
                int each = PER_ABORT / 4;
                Wait.until(() -> dripping.accepted() == each && stalled.accepted() == each
                                && doomed.proxy().openSessions() == PER_ABORT, Duration.ofSeconds(30),
                        () -> "sessions not in place: dripping " + dripping.accepted() + ", stalled " + stalled.accepted()
                                + ", open " + doomed.proxy().openSessions());
                long started = System.nanoTime();
                boolean drained = doomed.proxy().shutdown(Duration.ofMillis(200));
                long tookMillis = (System.nanoTime() - started) / 1_000_000;
                assertFalse(drained, "the stuck sessions cannot end by themselves");
                assertTrue(tookMillis < 200 + 5_000, "shutdown took " + tookMillis + "ms");
                assertEquals(0, doomed.proxy().openSessions());
                assertEquals(Map.of(), leakedSlots(doomed.proxy()), "max_conns slots of the shut-down proxy");
                assertEquals(PER_ABORT, doomed.access().lines().size(), "one access log line per session");
                for (Socket client : clients) {
                    try {
                        Bytes.readToEof(client.getInputStream());
                    } catch (IOException resetIsExpected) {
                        // reset at shutdown: what an aborted session's client gets
                    }
                }
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }

    private static String doomedConfig(FullBacklog backlog, DrippingUpstream dripping, StalledUpstream stalled,
                                       EchoServer echo) {
        return tls.proxyConfig("127.0.0.1:" + echo.port(), """
                proxy_connect_timeout = 60s
                server.backlog.listen = 127.0.0.1:0
                server.backlog.proxy_pass = 127.0.0.1:%d
                server.dripping.listen = 127.0.0.1:0
                server.dripping.proxy_pass = 127.0.0.1:%d
                server.stalled.listen = 127.0.0.1:0
                server.stalled.proxy_pass = 127.0.0.1:%d
                server.echo.listen = 127.0.0.1:0
                server.echo.proxy_pass = backend
                """.formatted(backlog.port(), dripping.port(), stalled.port()));
    }

    /** Sessions ended, and the upstreams' connections with them. */
    private static void awaitQuiet(TestProxy proxy, EchoServer... upstreams) {
        Wait.until(() -> proxy.proxy().openSessions() == 0 && List.of(upstreams).stream().allMatch(u -> u.open() == 0),
                SETTLE, () -> proxy.proxy().openSessions() + " sessions still open");
    }

    /** Every server whose count of open connections is not 0, in every group of the proxy. */
    private static Map<String, Integer> leakedSlots(Proxy proxy) {
        Map<String, Integer> leaked = new TreeMap<>();
        for (Block block : proxy.blocks()) {
            for (Map.Entry<Peer, Integer> peer : block.group().conns().entrySet()) {
                if (peer.getValue() != 0) {
                    leaked.put(block.group().name() + " " + peer.getKey(), peer.getValue());
                }
            }
        }
        return leaked;
    }

    /** Each kind did what it is there for: good sessions 200 (some resumed, none in "full"), failures 502 with the reason. */
    private static void checkOutcomes(TestProxy proxy, List<String> lines, int expected) {
        assertEquals(expected, lines.size(), "one access log line per session");
        Map<String, Kind> byPort = new TreeMap<>();
        for (Kind kind : Kind.values()) {
            byPort.putIfAbsent(Integer.toString(proxy.port(kind.block)), kind);
        }
        Map<String, List<String>> byBlock = lines.stream().collect(Collectors.groupingBy(
                line -> byPort.get(line.split(" ")[0]).block, TreeMap::new, Collectors.toList()));
        for (String good : List.of("full", "tls12", "idle")) {
            assertTrue(byBlock.get(good).stream().allMatch(l -> l.contains(" 200 ") && l.endsWith(" ok")), good);
        }
        assertTrue(byBlock.get("full").stream().allMatch(l -> l.contains(" . ")), "proxy_ssl_session_reuse off never resumes");
        assertTrue(byBlock.get("resumed").stream().anyMatch(l -> l.contains(" r ")), "some sessions resumed");
        assertTrue(byBlock.get("tls12").stream().anyMatch(l -> l.contains(" r ")), "some TLS 1.2 sessions resumed");
        assertTrue(byBlock.get("refused").stream().allMatch(l -> l.contains(" 502 ")), "refused");
        assertTrue(byBlock.get("wrongname").stream().allMatch(l -> l.contains(" 502 ") && l.endsWith(" name")), "wrong name");
        assertTrue(byBlock.get("untrusted").stream().allMatch(l -> l.contains(" 502 ") && l.endsWith(" untrusted")),
                "untrusted");
    }

    /**
     * What the process holds. Platform threads are compared by name, so a proxy's threads that stay
     * cannot hide behind JDK threads that ended meanwhile; virtual threads come from the JDK's own
     * thread dump (JSON), which lists every virtual thread started with the Thread API.
     */
    record Resources(Map<String, Integer> platform, Map<String, Integer> virtual, long fds) {
        static Resources now(Path dir) {
            Map<String, Integer> platform = new TreeMap<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                platform.merge(kindOf(thread.getName()), 1, Integer::sum);
            }
            Map<String, Integer> virtual = new TreeMap<>();
            for (String name : virtualThreadNames(dir)) {
                virtual.merge(kindOf(name), 1, Integer::sum);
            }
            var os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            return new Resources(platform, virtual, os.getOpenFileDescriptorCount());
        }

        /**
         * Back where it was: no more descriptors, and no kind of thread, platform or virtual, more
         * numerous than before (so none of ours: sessions, pumps, a shut-down proxy's listeners,
         * sweeper or deadline timer). The one allowance is {@link LeakTest#JDK_POOL_SLACK} for the JDK's
         * ForkJoinPools (the virtual thread scheduler's carriers, the common pool): the scheduler
         * adds a carrier while a virtual thread blocks where it cannot unmount (a file read while
         * loading a class, say) and keeps an idle one for 30 s, whatever the proxy does.
         */
        boolean within(Resources baseline) {
            return fds <= baseline.fds && grown(platform, baseline.platform).isEmpty()
                    && grown(virtual, baseline.virtual).isEmpty();
        }

        String difference(Resources baseline) {
            return "descriptors " + baseline.fds + " -> " + fds + "; platform threads grown: "
                    + grown(platform, baseline.platform) + "; virtual threads grown: " + grown(virtual, baseline.virtual);
        }

        /** The kinds of thread there are more of now, with the counts before and now. */
        private static Map<String, String> grown(Map<String, Integer> now, Map<String, Integer> before) {
            Map<String, String> grown = new TreeMap<>();
            now.forEach((kind, count) -> {
                int allowed = before.getOrDefault(kind, 0) + (kind.startsWith("ForkJoinPool") ? JDK_POOL_SLACK : 0);
                if (count > allowed) {
                    grown.put(kind, before.getOrDefault(kind, 0) + " -> " + count);
                }
            });
            return grown;
        }

        /** Threads of one kind share a name up to their number (port, id). */
        private static String kindOf(String name) {
            if (name.startsWith("session #")) {
                return "session #";
            }
            if (name.startsWith("pump ")) {
                return "pump ";
            }
            return name.replaceAll("[0-9]+", "N");
        }

        private static List<String> virtualThreadNames(Path dir) {
            try {
                Path dump = Files.createTempDirectory(dir, "threads").resolve("dump.json");
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                String json = Files.readString(dump);
                Files.delete(dump);
                Files.delete(dump.getParent());
                List<String> names = new ArrayList<>();
                for (Matcher m = VIRTUAL.matcher(json); m.find(); ) {
                    names.add(m.group(1));
                }
                return names;
            } catch (IOException e) {
                throw new AssertionError("thread dump: " + e, e);
            }
        }

        @Override
        public String toString() {
            int platformCount = platform.values().stream().mapToInt(Integer::intValue).sum();
            int virtualCount = virtual.values().stream().mapToInt(Integer::intValue).sum();
            return platformCount + " platform threads, " + virtualCount + " virtual threads, " + fds + " descriptors";
        }
    }
}
