package loomproxy.tls;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;
import loomproxy.config.HostPort;

/**
 * Lets concurrent connections to one upstream server each resume a session of their own.
 *
 * <p>JSSE's client cache keeps one session per key — the host given to
 * {@code createSocket(socket, host, port, autoClose)} and the connected port — and a TLS 1.3 session
 * is resumed only once, as RFC 8446 §C.4 asks of clients. With one key per server, the 64 handshakes
 * of a burst find one ticket between them and most make a full handshake (measured: 17 % resumed).
 * So each server gets up to {@link #MAX} keys, "slots": a connection takes a slot that holds a fresh
 * ticket (or a new one), and gives it back once the server's NewSessionTicket has had a chance to
 * arrive (after the first bytes from the upstream, or at the end of the session). A slot's key is the
 * server's host (and address) with {@code #N} appended ({@link #cacheHost}); '#' cannot occur in a host name, so
 * {@link #hostOf} recovers the host, and every slot of a server still names only that server: a
 * session is never offered to another one.
 */
final class TicketSlots {
    /** Enough for a burst of concurrent handshakes to one server; each cached session is a few KiB. */
    static final int MAX = 128;

    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<Integer> ready = new ArrayDeque<>();
    private int created;
    private int overflow;

    /**
     * One upstream server as JSSE's cache must tell it apart: its name as written (what the
     * verifier checks) and the address it resolved to, since each address of a name is a server of
     * its own and a session is never offered to another one (SPEC §4, §11).
     */
    record Key(String host, HostPort address) {}

    /**
     * JSSE's cache key host for a slot of {@code key}: the name, then the address when it differs
     * (a name that resolved; an IP literal is its own address), then the slot when not 0. The
     * address always has a '.' or ':' and a slot only digits, so no two keys meet.
     */
    static String cacheHost(Key key, int slot) {
        String host = key.host().equals(key.address().host()) ? key.host() : key.host() + "#" + key.address().host();
        return slot == 0 ? host : host + "#" + slot;
    }

    /** The real host of a cache key host made by {@link #cacheHost}. */
    static String hostOf(String cacheHost) {
        if (cacheHost == null) {
            return null;
        }
        int mark = cacheHost.indexOf('#');
        return mark < 0 ? cacheHost : cacheHost.substring(0, mark);
    }

    /** A slot whose last user has finished its handshake, most recently returned first. */
    int take() {
        lock.lock();
        try {
            Integer slot = ready.pollFirst();
            if (slot != null) {
                return slot;
            }
            if (created < MAX) {
                return created++;
            }
            return overflow++ % MAX; // all busy: share one; at worst a full handshake
        } finally {
            lock.unlock();
        }
    }

    void give(int slot) {
        lock.lock();
        try {
            if (!ready.contains(slot)) {
                ready.addFirst(slot);
            }
        } finally {
            lock.unlock();
        }
    }
}
