package loomproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-address table of limit_conn_per_addr under concurrency: the limit and the bound are never exceeded. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AddressTableTest {
    private static InetAddress ip(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneAddressNeverHasMoreThanTheLimitInsideHoweverManyThreadsTry() throws Exception {
        AddressTable table = new AddressTable(4);
        InetAddress client = ip(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicLong refused = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000; i++) {
                    AddressTable.Entry entry = table.enter(client, 3);
                    if (entry == AddressTable.Entry.IN) {
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        inside.decrementAndGet();
                        table.leave(client);
                    } else {
                        assertEquals(AddressTable.Entry.OVER, entry);
                        refused.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(most.get() <= 3, "at most the limit inside at once: " + most.get());
        assertEquals(0, table.size(), "the address left with its last session");
        assertEquals(0, table.open(client));
    }

    @Test
    void aFloodOfDistinctAddressesNeverGrowsTheTablePastItsBound() throws Exception {
        AddressTable table = new AddressTable(100);
        AtomicInteger biggest = new AtomicInteger();
        AtomicLong full = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int first = t * 1_000_000;
            threads.add(Thread.ofPlatform().start(() -> {
                List<InetAddress> mine = new ArrayList<>();
                for (int i = 0; i < 50_000; i++) {
                    InetAddress a = ip(first + i);
                    if (table.enter(a, 1) == AddressTable.Entry.IN) {
                        mine.add(a);
                    } else {
                        full.incrementAndGet();
                    }
                    biggest.accumulateAndGet(table.size(), Math::max);
                    if (mine.size() == 20) {
                        mine.forEach(table::leave);
                        mine.clear();
                    }
                }
                mine.forEach(table::leave);
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(biggest.get() <= 100, "the table held " + biggest.get());
        assertTrue(full.get() > 0, "8 threads holding up to 20 each fill a table of 100");
        assertEquals(0, table.size());
    }
}
