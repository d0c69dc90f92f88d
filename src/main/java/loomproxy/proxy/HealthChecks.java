package loomproxy.proxy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import loomproxy.config.HostPort;
import loomproxy.upstream.Peer;
import loomproxy.upstream.UpstreamGroup;

/**
 * The active health checks of one proxy (SPEC §11): for every server block with {@code health_check},
 * a {@link ServerCheck} per server of its group. Nothing here is on the data path: sessions only
 * see the verdicts, which the group keeps with each server.
 *
 * <p>{@link #apply} runs after every change of the blocks (start, reload, certificate rotation) and
 * {@link #sync} after DNS changed a group's servers, both under the proxy's lock for changes. A block
 * whose check, group and TLS are the same keeps its checks running; a changed one restarts them with
 * its new settings, each server keeping its verdict (SPEC §7: servers that stay keep their health
 * state); a removed block's checks stop, and its verdicts are forgotten.
 */
final class HealthChecks {
    private final Deadlines deadlines;
    private final System.Logger log;
    /** One lock per server address: never two probes of one server at once, whichever blocks check it. */
    private final Map<HostPort, ReentrantLock> serverLocks = new ConcurrentHashMap<>();
    /** By block name. */
    private Map<String, Running> running = Map.of();

    /** One block's checks: the block they were made for, and one check per server of its group. */
    private record Running(Block block, Map<Peer, ServerCheck> servers) {}

    HealthChecks(Deadlines deadlines, System.Logger log) {
        this.deadlines = deadlines;
        this.log = log;
    }

    /** Checks what {@code blocks} ask for from now on. */
    void apply(List<Block> blocks) {
        Map<String, Running> next = new LinkedHashMap<>();
        List<ServerCheck> started = new ArrayList<>();
        for (Block block : blocks) {
            block.metrics().checking(block.config().healthCheck().isPresent());
            if (block.config().healthCheck().isEmpty()) {
                continue;
            }
            Running before = running.get(block.name());
            if (before != null && unchanged(before.block(), block)) {
                next.put(block.name(), new Running(block, before.servers()));
                continue;
            }
            Map<Peer, ServerCheck> servers = new LinkedHashMap<>();
            for (Peer peer : block.group().peers()) {
                servers.put(peer, check(block, peer, before));
            }
            started.addAll(servers.values());
            next.put(block.name(), new Running(block, servers));
        }
        for (Running old : running.values()) {
            Running kept = next.get(old.block().name());
            if (kept == null || kept.servers() != old.servers()) {
                old.servers().values().forEach(ServerCheck::stop);
            }
        }
        running = next;
        forgetStopped(blocks);
        started.forEach(ServerCheck::start);
    }

    /**
     * After DNS added or removed servers of {@code group}: each block checking it checks the servers
     * it has now; checks of removed servers stop.
     */
    void sync(UpstreamGroup group) {
        for (Running r : running.values()) {
            if (r.block().group() != group) {
                continue;
            }
            List<Peer> now = group.peers();
            for (var it = r.servers().entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                if (!now.contains(entry.getKey())) {
                    entry.getValue().stop();
                    it.remove();
                }
            }
            for (Peer peer : now) {
                if (!r.servers().containsKey(peer)) {
                    ServerCheck check = check(r.block(), peer, null);
                    r.servers().put(peer, check);
                    check.start();
                }
            }
        }
    }

    /** Stops every check (shutdown). */
    void stop() {
        running.values().forEach(r -> r.servers().values().forEach(ServerCheck::stop));
        running = Map.of();
    }

    /** Each block's verdict on each server it checks, for tests of this package. */
    Map<String, Map<Peer, Boolean>> verdicts() {
        Map<String, Map<Peer, Boolean>> out = new LinkedHashMap<>();
        running.forEach((name, r) -> {
            Map<Peer, Boolean> servers = new LinkedHashMap<>();
            r.servers().forEach((peer, check) -> servers.put(peer, check.healthy()));
            out.put(name, servers);
        });
        return out;
    }

    /** A new check of {@code peer}, taking over the verdict of the same block's check of the same address. */
    private ServerCheck check(Block block, Peer peer, Running before) {
        ServerCheck previous = null;
        boolean sameSettings = false;
        if (before != null && before.block().group().name().equals(block.group().name())) {
            previous = before.servers().values().stream()
                    .filter(c -> c.peer().address().equals(peer.address())).findFirst().orElse(null);
            sameSettings = sameSettings(before.block(), block);
        }
        ReentrantLock lock = serverLocks.computeIfAbsent(peer.address(), a -> new ReentrantLock());
        return new ServerCheck(block, peer, deadlines, lock, log, previous, sameSettings);
    }

    /** The same check of the same servers with the same TLS: its probes go on as they were. */
    private static boolean unchanged(Block before, Block now) {
        return before.group() == now.group() && sameSettings(before, now);
    }

    private static boolean sameSettings(Block before, Block now) {
        return before.config().healthCheck().equals(now.config().healthCheck())
                && before.config().connectTimeout().equals(now.config().connectTimeout())
                && Objects.equals(before.tls().orElse(null), now.tls().orElse(null));
    }

    /** Every group forgets the verdicts of blocks that no longer check it (removed, health_check off, another group). */
    private void forgetStopped(List<Block> blocks) {
        Map<UpstreamGroup, Set<String>> checking = new LinkedHashMap<>();
        for (Block block : blocks) {
            Set<String> names = checking.computeIfAbsent(block.group(), g -> new HashSet<>());
            if (running.containsKey(block.name())) {
                names.add(block.name());
            }
        }
        checking.forEach(UpstreamGroup::keepHealthOf);
    }
}
