package loomproxy.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import loomproxy.config.AllowList;
import loomproxy.config.HostPort;
import loomproxy.metrics.Metrics;

/**
 * The admin endpoint (SPEC §10) on the JDK's own HTTP server: {@code GET /metrics},
 * {@code /healthz} and {@code /status} for the clients {@code admin_allow} lets in. It runs on two
 * platform threads of its own (and the HTTP server's dispatcher thread), never on the virtual-thread
 * scheduler the sessions share, so a proxy under any load still answers its monitoring.
 */
public final class AdminServer implements AutoCloseable {
    /**
     * The JDK's HTTP server waits for a request's headers without any limit by default, on the
     * executor's thread: two clients dripping header bytes held both of a fixed pool's threads and
     * /metrics answered nobody (QA, a slowloris). So each exchange gets a thread of its own,
     * a request or response that takes longer than this is cut, and connections are capped so
     * the admin port cannot take the file descriptors the sessions need. The JDK reads these once,
     * when its first HTTP server is made; a value given with -D wins.
     */
    static final Map<String, String> LIMITS = Map.of(
            "sun.net.httpserver.maxReqTime", "10", // seconds
            "sun.net.httpserver.maxRspTime", "10",
            "jdk.httpserver.maxConnections", "64");
    private static final String TEXT = "text/plain; charset=utf-8";

    static {
        LIMITS.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }

    private final HttpServer server;
    private final ExecutorService executor;
    /** Replaced by a reload that changes only admin_allow: the bound port stays. */
    private volatile AllowList allow;
    private final Metrics metrics;
    private final Supplier<Optional<String>> trouble;
    private final System.Logger log;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(HttpServer server, ExecutorService executor, AllowList allow, Metrics metrics,
                        Supplier<Optional<String>> trouble, System.Logger log) {
        this.server = server;
        this.executor = executor;
        this.allow = allow;
        this.metrics = metrics;
        this.trouble = trouble;
        this.log = log;
    }

    /**
     * Binds {@code address} and starts answering.
     *
     * @param trouble empty while healthy; else why not ({@code draining}, a closed listener), for /healthz
     * @throws BindException one line naming the address and what to do, as a listen address's
     */
    public static AdminServer start(HostPort address, AllowList allow, Metrics metrics,
                                    Supplier<Optional<String>> trouble, System.Logger log) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 0);
        } catch (IOException e) {
            BindException failure = new BindException("bind() to " + address + " failed (" + e.getMessage()
                    + ") for admin_listen: " + (String.valueOf(e.getMessage()).contains("in use")
                    ? "another process listens there; stop it or change admin_listen" : "check admin_listen"));
            failure.initCause(e);
            throw failure;
        }
        // Platform threads, so no load on the sessions' carriers can starve a scrape; as many as
        // there are exchanges (at most maxConnections), so a slow client holds only its own.
        ExecutorService executor = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("admin http ", 1).factory());
        AdminServer admin = new AdminServer(server, executor, allow, metrics, trouble, log);
        server.createContext("/", admin::handle);
        server.setExecutor(executor);
        server.start();
        log.log(Level.INFO, "admin endpoint listening on http://" + admin.addressText() + "/ (metrics, healthz, status)");
        return admin;
    }

    /** admin_allow changed by a reload; the next request is judged by the new list. */
    public void allow(AllowList next) {
        this.allow = next;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private String addressText() {
        return loomproxy.metrics.Addresses.text(address());
    }

    /** Stops at once (requests in progress are cut, which a monitoring client retries); once. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                answer(exchange);
            } catch (RuntimeException | Error e) {
                log.log(Level.ERROR, "admin endpoint: internal error answering " + exchange.getRequestURI().getRawPath()
                        + ": " + e);
                send(exchange, 500, TEXT, "internal error\n");
            }
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        // Refused before anything else, so an outsider learns nothing, not even which paths exist.
        if (!allow.permits(exchange.getRemoteAddress().getAddress())) {
            send(exchange, 403, TEXT, "forbidden\n");
            return;
        }
        String path = exchange.getRequestURI().getRawPath();
        if (!path.equals("/metrics") && !path.equals("/healthz") && !path.equals("/status")) {
            send(exchange, 404, TEXT, "not found; try /metrics, /healthz or /status\n");
            return;
        }
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            send(exchange, 405, TEXT, "method not allowed; use GET\n");
            return;
        }
        switch (path) {
            case "/metrics" -> send(exchange, 200, Metrics.contentType(), metrics.scrape());
            case "/healthz" -> {
                Optional<String> problem = trouble.get();
                send(exchange, problem.isEmpty() ? 200 : 503, TEXT, problem.orElse("ok") + "\n");
            }
            default -> send(exchange, 200, "application/json", StatusPage.of(metrics, trouble.get()));
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
