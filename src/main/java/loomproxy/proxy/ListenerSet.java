package loomproxy.proxy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import loomproxy.config.HostPort;
import loomproxy.config.ListenAddress;

/**
 * Every listen address of the proxy, bound, each with its accept loop. A reload hands it the new
 * blocks and it changes only what must change (SPEC §7): an address that stays keeps its socket and
 * its loop and only learns its new block, so no connection is refused; new addresses are bound first,
 * and if one cannot be, nothing changes at all; removed ones stop accepting (their sessions go on);
 * an address whose socket parameters changed (backlog, reuseport) is bound again — the one case
 * where a connection may be refused during a reload.
 */
final class ListenerSet {
    /** NGINX's default listen backlog on Linux (NGX_LISTEN_BACKLOG). */
    private static final int DEFAULT_BACKLOG = 511;
    /** How long a closed listener's thread may take to notice (it may be in a backoff pause). */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private record Bound(ListenAddress listen, Listener listener, Thread thread) {}

    private record Wanted(ListenAddress listen, Block block) {}

    /**
     * What makes two listen entries the same socket: the address as configured. Port 0 ("any free
     * port") names no one port, so such an entry is its block's own; and an entry naming port P is
     * also the port-0 socket that happens to have P (as tests and embedders write it back).
     */
    private record Key(HostPort address, String portZeroBlock) {
        static Key of(ListenAddress listen, Block block) {
            return new Key(listen.address(), listen.address().port() == 0 ? block.name() : null);
        }
    }

    private final Sessions sessions;
    private final Deadlines deadlines;
    private final System.Logger log;
    /** In the order the configuration lists them. */
    private final Map<Key, Bound> bound = new LinkedHashMap<>();

    ListenerSet(Sessions sessions, Deadlines deadlines, System.Logger log) {
        this.sessions = sessions;
        this.deadlines = deadlines;
        this.log = log;
    }

    /**
     * Makes the bound set what {@code blocks} list. Binds every new address before it touches
     * anything; a BindException then leaves everything as it was.
     */
    void apply(List<Block> blocks) throws IOException {
        Map<Key, Wanted> wanted = new LinkedHashMap<>();
        for (Block block : blocks) {
            for (ListenAddress listen : block.config().listen()) {
                Key key = Key.of(listen, block);
                wanted.put(key, new Wanted(listen, block));
                adoptPortZero(key);
            }
        }
        Map<Key, ServerSocket> added = bindNew(wanted);
        for (var it = bound.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            if (!wanted.containsKey(entry.getKey())) {
                stop(entry.getValue());
                it.remove();
            }
        }
        for (var entry : wanted.entrySet()) {
            Wanted w = entry.getValue();
            Bound current = bound.get(entry.getKey());
            if (current != null && sameSocket(current.listen(), w.listen())) {
                current.listener().serve(w.block(), w.listen().soKeepalive());
                bound.put(entry.getKey(), new Bound(w.listen(), current.listener(), current.thread()));
                continue;
            }
            ServerSocket server = added.get(entry.getKey());
            if (server == null) {
                server = rebind(current, w.listen());
            }
            if (server != null) {
                bound.put(entry.getKey(), run(server, w));
            } else {
                bound.remove(entry.getKey());
            }
        }
    }

    /** A port-0 socket that now has the port {@code key} names is that entry's socket. */
    private void adoptPortZero(Key key) {
        if (key.portZeroBlock() != null || bound.containsKey(key)) {
            return;
        }
        for (var entry : bound.entrySet()) {
            Key old = entry.getKey();
            ServerSocket socket = entry.getValue().listener().socket();
            if (old.portZeroBlock() != null && old.address().host().equals(key.address().host())
                    && socket.getLocalPort() == key.address().port()) {
                bound.put(key, bound.remove(old));
                return;
            }
        }
    }

    private Map<Key, ServerSocket> bindNew(Map<Key, Wanted> wanted) throws IOException {
        Map<Key, ServerSocket> added = new LinkedHashMap<>();
        try {
            for (var entry : wanted.entrySet()) {
                if (!bound.containsKey(entry.getKey())) {
                    added.put(entry.getKey(), bind(entry.getValue().listen()));
                }
            }
            return added;
        } catch (IOException e) {
            added.values().forEach(Sockets::closeQuietly);
            throw e;
        }
    }

    /** Same socket parameters: the socket can stay; so_keepalive applies per connection and needs none. */
    private static boolean sameSocket(ListenAddress a, ListenAddress b) {
        return a.backlog() == b.backlog() && a.reusePort() == b.reusePort();
    }

    /** The address is ours already, with other parameters: close it, bind it anew; null if that failed. */
    private ServerSocket rebind(Bound current, ListenAddress listen) {
        stop(current);
        try {
            return bind(listen);
        } catch (IOException e) {
            log.log(Level.ERROR, "reload: " + e.getMessage() + "; " + listen.address() + " no longer accepts");
            return null;
        }
    }

    private Bound run(ServerSocket server, Wanted w) {
        Listener listener = new Listener(server, w.block(), sessions, deadlines, log, w.listen().soKeepalive());
        Thread thread = Thread.ofPlatform().name("listen " + server.getLocalSocketAddress()).start(listener);
        return new Bound(w.listen(), listener, thread);
    }

    private void stop(Bound b) {
        Sockets.closeQuietly(b.listener().socket());
        join(b.thread());
    }

    /** Stops accepting everywhere; returns once every accept loop has ended (or after a grace). */
    void closeAll() {
        bound.values().forEach(b -> Sockets.closeQuietly(b.listener().socket()));
        // A listener registers what it accepted before it looks at its socket again, so once the
        // threads are gone, no accepted connection can escape the drain.
        bound.values().forEach(b -> join(b.thread()));
    }

    /** The addresses each server block listens on (port 0 resolved to the bound port). */
    Map<String, List<InetSocketAddress>> addresses() {
        Map<String, List<InetSocketAddress>> byBlock = new LinkedHashMap<>();
        for (Bound b : bound.values()) {
            byBlock.computeIfAbsent(b.listener().blockName(), k -> new ArrayList<>())
                    .add((InetSocketAddress) b.listener().socket().getLocalSocketAddress());
        }
        return byBlock;
    }

    static ServerSocket bind(ListenAddress listen) throws IOException {
        InetSocketAddress address = new InetSocketAddress(listen.address().host(), listen.address().port());
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            if (listen.reusePort() && server.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            server.bind(address, listen.backlog() > 0 ? listen.backlog() : DEFAULT_BACKLOG);
            return server;
        } catch (IOException e) {
            server.close();
            String what = "bind() to " + listen.address() + " failed (" + e.getMessage() + ")";
            BindException failure = new BindException(what + ": " + advice(e));
            failure.initCause(e);
            throw failure;
        }
    }

    private static String advice(IOException e) {
        String text = String.valueOf(e.getMessage());
        if (text.contains("in use")) {
            return "another process listens there; stop it or change listen";
        }
        if (text.contains("ermission")) {
            return "ports below 1024 need CAP_NET_BIND_SERVICE (see systemd/loomproxy.service)";
        }
        return "check the listen address";
    }

    private static void join(Thread thread) {
        try {
            thread.join(STOP_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
