package loomproxy.proxy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import loomproxy.admin.AdminServer;
import loomproxy.config.AdminConfig;
import loomproxy.config.ConfigException;
import loomproxy.config.ListenAddress;
import loomproxy.config.ProxyConfig;
import loomproxy.config.Problems;
import loomproxy.config.ServerConfig;
import loomproxy.metrics.Metrics;
import loomproxy.observe.AccessLog;
import loomproxy.tls.TlsSetup;
import loomproxy.tls.UpstreamTls;
import loomproxy.upstream.UpstreamGroup;

/**
 * A configured proxy: its server blocks, their listeners and open sessions. {@link #prepare}
 * validates everything (TLS files included) before {@link #start} binds anything, and a failed bind
 * releases what was already bound.
 */
public final class Proxy {
    /** NGINX's default listen backlog on Linux (NGX_LISTEN_BACKLOG). */
    private static final int DEFAULT_BACKLOG = 511;
    /** How long reset sessions get to write their log lines, and listeners to notice their close. */
    private static final Duration ABORT_GRACE = Duration.ofSeconds(5);

    private final List<Block> blocks;
    private final System.Logger log;
    private final Sessions sessions;
    private final Metrics metrics;
    private final AdminConfig admin;
    private AdminServer adminServer;
    /** Set first thing at shutdown, so /healthz turns 503 before a listener closes (SPEC §10). */
    private volatile boolean draining;
    private final Map<String, List<InetSocketAddress>> bound = new LinkedHashMap<>();
    private final List<ServerSocket> servers = new ArrayList<>();
    private final List<Thread> listeners = new ArrayList<>();
    private Deadlines deadlines;
    private volatile boolean stopped;

    private Proxy(List<Block> blocks, System.Logger log, Sessions sessions, Metrics metrics, AdminConfig admin) {
        this.blocks = blocks;
        this.log = log;
        this.sessions = sessions;
        this.metrics = metrics;
        this.admin = admin;
    }

    /** Builds every block; reports all problems at once; warnings go to {@code problems} too. */
    public static Proxy prepare(ProxyConfig config, System.Logger log, AccessLog accessLog, Problems problems)
            throws ConfigException {
        Map<String, UpstreamGroup> groups = new HashMap<>();
        List<Block> blocks = new ArrayList<>();
        Metrics metrics = new Metrics(config.file(), InstantSource.system());
        for (ServerConfig server : config.servers()) {
            UpstreamGroup group = groups.computeIfAbsent(server.upstream().name(),
                    name -> new UpstreamGroup(server.upstream(), InstantSource.system(), log));
            Optional<UpstreamTls> tls = TlsSetup.load(server.tls(), server.sources(), problems, InstantSource.system());
            blocks.add(new Block(server, group, tls,
                    metrics.register(server.name(), group, tls.map(UpstreamTls::material))));
        }
        problems.throwIfAny();
        return new Proxy(List.copyOf(blocks), log, new Sessions(accessLog, log), metrics, config.admin());
    }

    /**
     * Starts what the data path needs, binds every listen address, then starts accepting; on a
     * failure nothing stays bound and nothing keeps running.
     */
    public void start() throws IOException {
        IoPoller.start();
        deadlines = new Deadlines();
        List<Runnable> loops = new ArrayList<>();
        try {
            for (Block block : blocks) {
                for (ListenAddress listen : block.config().listen()) {
                    ServerSocket server = bind(listen);
                    servers.add(server);
                    bound.computeIfAbsent(block.name(), k -> new ArrayList<>())
                            .add((InetSocketAddress) server.getLocalSocketAddress());
                    loops.add(new Listener(server, block, sessions, deadlines, log, listen.soKeepalive()));
                }
                block.metrics().listening(bound.get(block.name()));
            }
            if (admin.listen().isPresent()) {
                adminServer = AdminServer.start(admin.listen().get(), admin.allow(), metrics, this::trouble, log);
            }
            metrics.startJmx();
        } catch (IOException | RuntimeException e) {
            if (adminServer != null) {
                adminServer.close();
            }
            metrics.stopJmx();
            closeListeners();
            deadlines.close();
            throw e;
        }
        for (int i = 0; i < loops.size(); i++) {
            listeners.add(Thread.ofPlatform().name("listen " + servers.get(i).getLocalSocketAddress()).start(loops.get(i)));
        }
        Thread.ofPlatform().daemon().name("idle sweeper").start(() -> sessions.sweepIdle(sweepTick(), () -> !stopped));
        bound.forEach((name, addresses) -> log.log(Level.INFO, "server " + name + " listening on "
                + addresses.stream().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList()));
    }

    private static ServerSocket bind(ListenAddress listen) throws IOException {
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

    /** A quarter of the shortest proxy_timeout, between 10 ms and 1 s: how late an idle session may end. */
    private Duration sweepTick() {
        long shortest = blocks.stream().mapToLong(b -> b.config().timeout().toMillis()).min().orElse(1000);
        return Duration.ofMillis(Math.max(10, Math.min(1000, shortest / 4)));
    }

    /** The addresses each server block listens on, after binding (port 0 resolved). */
    public Map<String, List<InetSocketAddress>> addresses() {
        return Map.copyOf(bound);
    }

    /** The server blocks as prepared, for tests in this package (their upstream groups' counters). */
    List<Block> blocks() {
        return blocks;
    }

    public int openSessions() {
        return sessions.count();
    }

    /** This proxy's metrics registry (SPEC §10): what /metrics, /status and JMX show. */
    public Metrics metrics() {
        return metrics;
    }

    /** Where the admin endpoint listens (port 0 resolved); empty when admin_listen is off or before start. */
    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(adminServer).map(AdminServer::address);
    }

    /** Empty while every listener is bound and the proxy is not draining; else why not (/healthz). */
    private Optional<String> trouble() {
        if (draining) {
            return Optional.of("draining");
        }
        for (ServerSocket server : servers) {
            if (server.isClosed()) {
                return Optional.of("listener " + server.getLocalSocketAddress() + " is closed");
            }
        }
        return Optional.empty();
    }

    /**
     * Stops accepting, lets open sessions finish for up to {@code grace} (shutdown_timeout), then
     * resets the rest. Returns true when every session ended on its own. Nothing here waits on a
     * peer: the resets wake every session's threads at once.
     */
    public boolean shutdown(Duration grace) {
        draining = true;
        closeListeners();
        try {
            // A listener registers what it accepted before it looks at its socket again, so once the
            // listener threads are gone, no accepted connection can escape the drain.
            listeners.forEach(Proxy::joinListener);
            boolean drained = sessions.awaitDrained(grace);
            if (!drained) {
                log.log(Level.WARNING, "closing " + sessions.count() + " open sessions after shutdown_timeout "
                        + grace.toMillis() + "ms");
                sessions.abortAll();
                if (!sessions.awaitDrained(ABORT_GRACE)) {
                    log.log(Level.ERROR, sessions.count() + " sessions still open " + ABORT_GRACE.toMillis()
                            + "ms after being reset; exiting anyway");
                }
            }
            return drained;
        } finally {
            stopped = true;
            if (deadlines != null) {
                deadlines.close();
            }
            if (adminServer != null) {
                adminServer.close();
            }
            metrics.stopJmx();
        }
    }

    private static void joinListener(Thread listener) {
        try {
            listener.join(ABORT_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeListeners() {
        for (ServerSocket server : servers) {
            try {
                server.close();
            } catch (IOException e) {
                log.log(Level.WARNING, "closing listener " + server.getLocalSocketAddress() + ": " + e.getMessage());
            }
        }
    }
}
