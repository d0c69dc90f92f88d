package loomproxy.proxy;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import loomproxy.config.ConnLimits;
import loomproxy.config.ServerConfig;

/**
 * {@code limit_conn}, {@code limit_conn_per_addr} and the access rules, checked for each accepted
 * connection before any upstream work, in NGINX's phase order (preaccess, then access): the
 * limits, then {@code allow}/{@code deny} (SPEC §9).
 *
 * <p>The counters belong to the proxy, by server block name, not to one configuration: a reload
 * keeps them for the blocks that stay (SPEC §7), so new settings apply to sessions counted under
 * the old ones, and a session always releases into the counters it entered. A block's sessions are
 * counted whether or not it has a limit, so a limit added by a reload sees them; the per-address
 * table counts only while {@code limit_conn_per_addr} is set, so it costs nothing otherwise.
 */
final class Limits {
    /**
     * The most client addresses one block's per-address table holds (about 100-200 bytes each, so
     * at most ~13 MB). Addresses leave when their last session ends, so it fills only with this many
     * distinct clients connected at once: more than the shipped unit's LimitNOFILE=131072 allows
     * (two descriptors per session). NGINX's zone is sized in bytes instead; a 10m
     * {@code $binary_remote_addr} zone holds about 160,000.
     */
    static final int ADDRESSES_PER_BLOCK = 65_536;

    /** One server block's counters. */
    static final class Counts {
        private final AtomicInteger open = new AtomicInteger();
        private final AddressTable addresses;

        Counts(int addressBound) {
            addresses = new AddressTable(addressBound);
        }

        /** One more session in the block, unless {@code limit} (0 = none) are open already. */
        private boolean enter(int limit) {
            while (true) {
                int now = open.get();
                if (limit > 0 && now >= limit) {
                    return false;
                }
                if (open.compareAndSet(now, now + 1)) {
                    return true;
                }
            }
        }

        /** A session that entered ends; {@code address} is non-null when it also took an address entry. */
        void leave(InetAddress address) {
            if (address != null) {
                addresses.leave(address);
            }
            open.decrementAndGet();
        }

        int open() {
            return open.get();
        }

        AddressTable addresses() {
            return addresses;
        }
    }

    private final Map<String, Counts> byBlock = new ConcurrentHashMap<>();
    private final int addressBound;

    Limits() {
        this(ADDRESSES_PER_BLOCK);
    }

    /** @param addressBound the per-address table's size (tests make it small) */
    Limits(int addressBound) {
        this.addressBound = addressBound;
    }

    /**
     * Limits, then rules, for a client of {@code config}'s block. Kept by name for the life of the
     * proxy (a few words per name ever configured): a block that a reload removes and a later one
     * brings back still counts the sessions it had.
     *
     * @param client null only if the connection was gone before it could be asked (no per-address
     *               entry; refused when the block has access rules)
     */
    Admission admit(ServerConfig config, InetAddress client) {
        Counts counts = byBlock.computeIfAbsent(config.name(), name -> new Counts(addressBound));
        ConnLimits limits = config.limits();
        if (!counts.enter(limits.perServer())) {
            return Admission.overLimit("limiting connections by limit_conn " + limits.perServer(), limits.logLevel());
        }
        InetAddress entered = null;
        try {
            if (limits.perAddress() > 0 && client != null) {
                switch (counts.addresses.enter(client, limits.perAddress())) {
                    case IN -> entered = client;
                    case OVER -> {
                        counts.leave(null);
                        return Admission.overLimit("limiting connections by limit_conn_per_addr " + limits.perAddress(),
                                limits.logLevel());
                    }
                    case FULL -> {
                        counts.leave(null);
                        return Admission.overLimit("limiting connections by limit_conn_per_addr " + limits.perAddress()
                                + ": no room for another client address (" + counts.addresses.bound()
                                + " in the table)", limits.logLevel());
                    }
                }
            }
            boolean allowed = client != null ? config.access().allows(client) : config.access().isEmpty();
            return allowed ? Admission.admitted(counts, entered) : Admission.forbidden(counts, entered);
        } catch (RuntimeException | Error e) {
            // Counted, but no Admission holds the slots yet to give them back (an OutOfMemoryError, say).
            counts.leave(entered);
            throw e;
        }
    }

    /** The counters of block {@code name} (tests; empty ones if it never had a session). */
    Counts of(String name) {
        return byBlock.computeIfAbsent(name, n -> new Counts(addressBound));
    }
}
