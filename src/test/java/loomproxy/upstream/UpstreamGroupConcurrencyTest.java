package loomproxy.upstream;

import static loomproxy.upstream.Groups.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Many sessions picking at once: the per-group lock keeps conns exact and max_conns a hard cap. */
class UpstreamGroupConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 3000;
    private static final Map<String, Integer> MAX_CONNS = Map.of("a", 2, "b", 1, "c", 3);

    private final Map<Peer, AtomicInteger> active = new ConcurrentHashMap<>();
    private final AtomicInteger overCap = new AtomicInteger();
    private final AtomicInteger picked = new AtomicInteger();
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

    @Test
    void concurrentPicksKeepConnsConsistentAndNeverExceedMaxConns() throws InterruptedException {
        UpstreamGroup g = group(new TestClock(),
                "a max_conns=2 max_fails=3", "b weight=2 max_conns=1 max_fails=3", "c max_conns=3 max_fails=0");
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            threads.add(Thread.ofPlatform().start(() -> work(g, start)));
        }
        start.countDown();
        for (Thread thread : threads) {
            assertTrue(thread.join(Duration.ofMinutes(1)), "worker finished");
        }
        assertEquals(List.of(), List.copyOf(errors));
        assertEquals(0, overCap.get(), "a server held more sessions than its max_conns");
        assertTrue(picked.get() > 0);
        assertEquals(3, active.size(), "every server was picked");
        for (Peer peer : active.keySet()) {
            assertEquals(0, peer.conns, peer + " conns after every release");
        }
        assertEquals(List.of(0, 0, 0), List.copyOf(g.conns().values()), "conns() reads the same counters");
    }

    private void work(UpstreamGroup g, CountDownLatch start) {
        try {
            start.await();
            for (int i = 0; i < ROUNDS; i++) {
                Optional<Peer> peer = g.pick(Set.of());
                peer.ifPresent(p -> use(g, p));
            }
        } catch (Throwable e) {
            errors.add(e);
        }
    }

    private void use(UpstreamGroup g, Peer peer) {
        picked.incrementAndGet();
        AtomicInteger holding = active.computeIfAbsent(peer, p -> new AtomicInteger());
        if (holding.incrementAndGet() > MAX_CONNS.get(peer.address().host())) {
            overCap.incrementAndGet();
        }
        Thread.yield();
        assertFalse(holding.decrementAndGet() < 0, "more releases than picks");
        g.release(peer, picked.get() % 7 == 0);
    }
}
