package loomproxy.upstream;

import java.net.InetAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import loomproxy.config.UpstreamGroupConfig;
import loomproxy.config.UpstreamServer;

/**
 * An {@code upstream.NAME} group balanced as NGINX's stream round robin
 * ({@code src/stream/ngx_stream_upstream_round_robin.c}): smooth weighted round robin over the
 * primary servers, the backup servers only when no primary is usable, and passive failure
 * accounting ({@code max_fails} within {@code fail_timeout}); a server an active health check finds
 * unhealthy is skipped like a {@code down} one (SPEC §11).
 *
 * <p>Sessions on many virtual threads pick at once, so all peer state sits behind one
 * {@link ReentrantLock} per group (a {@code synchronized} block would pin the carrier thread on
 * JDK 21). The lock is held only for the arithmetic, never across I/O or logging.
 *
 * <p>A session keeps its own {@code tried} set, as NGINX keeps {@code rrp->tried}: this class
 * remembers nothing per session.
 */
public final class UpstreamGroup {
    private final String name;
    private final List<UpstreamServer> servers;
    /**
     * Each server line's peers, in line order: the server as written, or one peer per address its
     * name resolved to, in the resolver's order (SPEC §11). Changed only under the lock.
     */
    private final List<List<Peer>> entries;
    /** Rebuilt from {@link #entries} under the lock; read without it where a snapshot will do. */
    private volatile List<Peer> primary;
    private volatile List<Peer> backup;
    /** Peers DNS no longer returns that still have connections; they leave when the last one ends. */
    private final List<Peer> draining = new ArrayList<>();
    /** NGINX {@code peers->single}: one primary and no backup is never marked failed. */
    private boolean single;
    private final InstantSource clock;
    private final ReentrantLock lock = new ReentrantLock();

    /** Every server as written, one peer each, its host looked up at each connect (tests of balancing). */
    public UpstreamGroup(UpstreamGroupConfig config, InstantSource clock) {
        this(config, null, clock);
    }

    /**
     * @param addresses per server line, the addresses its name resolved to (an IP literal: itself);
     *                  empty for a {@code resolve} server whose name does not resolve yet; null: as written
     */
    public UpstreamGroup(UpstreamGroupConfig config, List<List<InetAddress>> addresses, InstantSource clock) {
        this.name = config.name();
        this.servers = List.copyOf(config.servers());
        if (servers.stream().allMatch(UpstreamServer::backup)) {
            // NGINX refuses the same group at startup: "no servers in upstream".
            throw new IllegalArgumentException(config.where() + ": upstream." + name
                    + ": no servers in upstream: add at least one server without backup");
        }
        this.entries = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            UpstreamServer server = servers.get(i);
            List<Peer> peers = new ArrayList<>();
            if (addresses == null) {
                peers.add(new Peer(server));
            } else {
                new LinkedHashSet<>(addresses.get(i)).forEach(a -> peers.add(new Peer(server, a)));
            }
            entries.add(peers);
        }
        this.clock = clock;
        rebuild();
    }

    /** The pick lists from {@link #entries} (lock held, or still constructing). */
    private void rebuild() {
        List<Peer> p = new ArrayList<>();
        List<Peer> b = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            (servers.get(i).backup() ? b : p).addAll(entries.get(i));
        }
        primary = List.copyOf(p);
        backup = List.copyOf(b);
        single = p.size() == 1 && b.isEmpty();
    }

    public String name() {
        return name;
    }

    /** The server lines as configured, each with its parameters. */
    public List<UpstreamServer> lines() {
        return servers;
    }

    /**
     * True when {@code config} lists exactly this group's servers and they resolve to the addresses
     * this group has now, so a reload can keep this group as it is.
     */
    public boolean sameAs(UpstreamGroupConfig config, List<List<InetAddress>> addresses) {
        if (!name.equals(config.name()) || !servers.equals(config.servers())) {
            return false;
        }
        lock.lock();
        try {
            for (int i = 0; i < entries.size(); i++) {
                List<InetAddress> now = entries.get(i).stream().map(Peer::resolved).toList();
                if (!now.equals(List.copyOf(new LinkedHashSet<>(addresses.get(i))))) {
                    return false;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A {@code resolve} server's name now resolves to {@code addresses} (SPEC §11): addresses it
     * keeps keep their peer and its state; new ones become peers; a peer whose address went is
     * no longer chosen and leaves once its open connections end (they are not touched). The order
     * is the resolver's.
     *
     * @return true when the group's servers changed
     */
    public boolean update(int line, List<InetAddress> addresses) {
        lock.lock();
        try {
            List<Peer> current = entries.get(line);
            List<Peer> next = new ArrayList<>();
            for (InetAddress address : new LinkedHashSet<>(addresses)) {
                Peer kept = current.stream().filter(p -> address.equals(p.resolved())).findFirst().orElse(null);
                next.add(kept != null ? kept : new Peer(servers.get(line), address));
            }
            if (next.equals(current)) {
                return false;
            }
            for (Peer gone : current) {
                if (!next.contains(gone) && gone.conns > 0) {
                    gone.draining = true;
                    draining.add(gone);
                }
            }
            entries.set(line, next);
            rebuild();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The servers server line {@code line} stands for now: one per address its name resolves to. */
    public List<Peer> peersOf(int line) {
        lock.lock();
        try {
            return List.copyOf(entries.get(line));
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a reload that changed this group's list: each server that is still at the same address
     * keeps the failure and health state it had in {@code previous} (fails, the failure window,
     * effective_weight, the health checks' verdicts), as SPEC §7 asks. Its open connections stay
     * counted where they were made: those sessions release them on the previous group. Matched by
     * address, in list order, since a group may list one address twice.
     */
    public void carryOver(UpstreamGroup previous) {
        previous.lock.lock();
        lock.lock();
        try {
            List<Peer> before = previous.allPeers();
            for (Peer peer : allPeers()) {
                for (Iterator<Peer> it = before.iterator(); it.hasNext(); ) {
                    Peer old = it.next();
                    if (old.address().equals(peer.address())) {
                        peer.inherit(old);
                        it.remove();
                        break;
                    }
                }
            }
        } finally {
            lock.unlock();
            previous.lock.unlock();
        }
    }

    private List<Peer> allPeers() {
        List<Peer> all = new ArrayList<>(primary);
        all.addAll(backup);
        return all;
    }

    /** Total tries NGINX allows for one session: number of primary + backup servers. */
    public int servers() {
        return primary.size() + backup.size();
    }

    /**
     * Each server's open connections (NGINX's {@code conns}, what {@code max_conns} limits), primary
     * servers first, then backups, then servers DNS removed that still have some; a snapshot taken
     * under the group's lock. For reading only: the status page and peer metrics (SPEC §10), and
     * tests that check no path leaks a slot.
     */
    public Map<Peer, Integer> conns() {
        lock.lock();
        try {
            Map<Peer, Integer> conns = new LinkedHashMap<>();
            for (Peer peer : listed()) {
                conns.put(peer, peer.conns);
            }
            return Collections.unmodifiableMap(conns);
        } finally {
            lock.unlock();
        }
    }

    private List<Peer> listed() {
        List<Peer> all = allPeers();
        all.addAll(draining);
        return all;
    }

    /**
     * Every server's state now, primary servers first, then backups, then servers DNS removed that
     * still have connections (down: never chosen); a snapshot taken under the group's lock.
     */
    public List<PeerState> states() {
        Instant now = clock.instant();
        lock.lock();
        try {
            return listed().stream()
                    .map(p -> new PeerState(p, p.conns, p.fails, p.down() || p.draining, !single && p.failed(now),
                            p.full(), p.healthy()))
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Next usable server not in {@code tried}, counting one more active connection on it
     * ({@code max_conns}); empty when none is usable ("no live upstreams").
     */
    public Optional<Peer> pick(Set<Peer> tried) {
        lock.lock();
        try {
            Peer peer = single ? pickSingle(tried) : pickTiers(tried, clock.instant());
            if (peer != null) {
                peer.conns++;
            }
            return Optional.ofNullable(peer);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends one use of a server picked earlier; {@code failed} = connect, handshake or verification
     * failure, which counts toward {@code max_fails}. Call exactly once per successful pick.
     *
     * @return true when this failure took the server out for fail_timeout: the caller logs NGINX's
     *         "upstream server temporarily disabled" line, with its session and what it was doing
     */
    public boolean release(Peer peer, boolean failed) {
        lock.lock();
        try {
            if (!primary.contains(peer) && !backup.contains(peer) && !draining.contains(peer)) {
                throw new IllegalArgumentException("upstream " + name + ": " + peer + " is not a server of this group");
            }
            return releaseLocked(peer, failed);
        } finally {
            lock.unlock();
        }
    }

    private boolean releaseLocked(Peer peer, boolean failed) {
        if (peer.conns <= 0) {
            throw new IllegalStateException("upstream " + name + ": " + peer + " released more often than picked");
        }
        peer.conns--;
        if (peer.draining) {
            if (peer.conns == 0) {
                draining.remove(peer);
            }
            return false;
        }
        if (single) {
            return false;
        }
        if (failed) {
            return peer.fail(clock.instant());
        }
        peer.succeed();
        return false;
    }

    /** Every server, primary servers first, then backups: what an active health check probes. */
    public List<Peer> peers() {
        return allPeers();
    }

    /**
     * The verdict of server block {@code check}'s health check on {@code peer} (SPEC §11): an
     * unhealthy server is not chosen until every check says it is healthy. Recorded only while
     * {@code current} says the check still runs, tested under the lock that {@link #keepHealthOf}
     * takes, so a check stopped by a reload cannot leave a verdict behind.
     */
    public void health(Peer peer, String check, boolean healthy, BooleanSupplier current) {
        lock.lock();
        try {
            if (!current.getAsBoolean()) {
                return;
            }
            if (healthy) {
                peer.unhealthyBy.remove(check);
            } else {
                peer.unhealthyBy.add(check);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the verdicts of every check not in {@code checks}: blocks removed, or no longer checking this group. */
    public void keepHealthOf(Set<String> checks) {
        lock.lock();
        try {
            for (Peer peer : allPeers()) {
                peer.unhealthyBy.retainAll(checks);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * NGINX's {@code peers->single} branch: no weights, no failure accounting, only {@code down}
     * and {@code max_conns}. NGINX then ends the session's tries after one attempt; here the
     * caller's {@code tried} set says the same.
     */
    private Peer pickSingle(Set<Peer> tried) {
        Peer peer = primary.get(0);
        return tried.contains(peer) || peer.down() || peer.full() || !peer.healthy() ? null : peer;
    }

    /**
     * {@code ngx_stream_upstream_get_round_robin_peer}: the primaries; when none is usable the
     * backups; when none of those either, this attempt gets nothing ("no live upstreams") and the
     * failed servers stay out until their fail_timeout has passed. (NGINX before 1.11.5 cleared
     * every server's fails here, "for quick recovery"; its changelog for 1.11.5: it "will not reset
     * number of failures of all servers as it previously did, but will wait for fail_timeout to
     * expire".) A session that has already moved to the backups (one is in its {@code tried} set)
     * stays there, as NGINX's {@code rrp->peers} does.
     */
    private Peer pickTiers(Set<Peer> tried, Instant now) {
        boolean onBackup = tried.stream().anyMatch(Peer::backup);
        if (!onBackup) {
            Peer peer = pickFrom(primary, tried, now);
            if (peer != null) {
                return peer;
            }
        }
        return pickFrom(backup, tried, now);
    }

    /**
     * {@code ngx_stream_upstream_get_peer}, smooth weighted round robin: every usable peer gains its
     * {@code effective_weight}, the highest {@code current_weight} wins (the first on a tie) and
     * pays back the total. {@code effective_weight} lowered by failures recovers by one per pick.
     */
    private static Peer pickFrom(List<Peer> peers, Set<Peer> tried, Instant now) {
        Peer best = null;
        long total = 0; // a sum of int weights; a long, as Peer.currentWeight
        for (Peer peer : peers) {
            if (tried.contains(peer) || peer.down() || peer.failed(now) || peer.full() || !peer.healthy()) {
                continue;
            }
            peer.currentWeight += peer.effectiveWeight;
            total += peer.effectiveWeight;
            if (peer.effectiveWeight < peer.weight()) {
                peer.effectiveWeight++;
            }
            if (best == null || peer.currentWeight > best.currentWeight) {
                best = peer;
            }
        }
        if (best != null) {
            best.currentWeight -= total;
            best.check(now);
        }
        return best;
    }
}
