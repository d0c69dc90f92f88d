package loomproxy.proxy;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open sessions per client address in one server block, for {@code limit_conn_per_addr} (SPEC §9;
 * NGINX's {@code limit_conn_zone $binary_remote_addr}). An address is in the table only while it
 * has an open session, and the table holds at most {@code bound} addresses: a flood of distinct
 * addresses cannot grow it further, and a client that finds it full is refused, as NGINX refuses
 * one whose zone has no room left.
 */
final class AddressTable {
    enum Entry {
        /** Counted: the caller must {@link #leave} once. */
        IN,
        /** The address has the limit's number of sessions open already. */
        OVER,
        /** A new address, and the table has {@code bound} addresses already. */
        FULL
    }

    /** One address's open sessions; read and written only inside the map's atomic compute. */
    private static final class Count {
        int open;
    }

    private final ConcurrentHashMap<InetAddress, Count> counts = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int bound;

    AddressTable(int bound) {
        this.bound = bound;
    }

    /** Counts one more session of {@code address} unless it has {@code limit} already or no entry can be made. */
    Entry enter(InetAddress address, int limit) {
        Entry[] outcome = new Entry[1];
        counts.compute(address, (a, count) -> {
            if (count == null) {
                if (!reserve()) {
                    outcome[0] = Entry.FULL;
                    return null;
                }
                count = new Count();
            } else if (count.open >= limit) {
                outcome[0] = Entry.OVER;
                return count;
            }
            count.open++;
            outcome[0] = Entry.IN;
            return count;
        });
        return outcome[0];
    }

    /** Room for one more address, taken; false when the table has {@code bound} already. */
    private boolean reserve() {
        while (true) {
            int now = size.get();
            if (now >= bound) {
                return false;
            }
            if (size.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** One session of {@code address} ended; with none left the address leaves the table. */
    void leave(InetAddress address) {
        counts.computeIfPresent(address, (a, count) -> {
            if (--count.open > 0) {
                return count;
            }
            size.decrementAndGet();
            return null;
        });
    }

    /** Addresses in the table now. */
    int size() {
        return size.get();
    }

    int bound() {
        return bound;
    }

    /** Open sessions of {@code address} that it counts. */
    int open(InetAddress address) {
        Count count = counts.get(address);
        return count == null ? 0 : count.open;
    }
}
