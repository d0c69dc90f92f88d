package loomproxy.proxy;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import loomproxy.config.ServerConfig;
import loomproxy.observe.SessionFacts;
import loomproxy.tls.FailureReasons;

/**
 * One accepted connection, from upstream choice to the access log line. It owns both sockets and
 * closes them in one {@code finally}; the two {@link Pump}s only read and write.
 *
 * <p>Ending, as NGINX's proxy_half_close: off, the first EOF from either side ends the session;
 * on, each EOF is passed on ({@code shutdownOutput}, which on an SSLSocket sends close_notify and
 * then FIN) and the session ends when both directions are done. An error in either direction ends
 * the session at once and the other side's connection is reset rather than closed in order, so a
 * peer never mistakes a truncated stream for a complete one.
 */
final class Session implements Runnable {
    private final Block block;
    private final Socket client;
    private final SessionFacts facts;
    private final SessionLog log;
    private final Sessions registry;
    private volatile Socket upstream;
    private volatile Activity activity;

    Session(Block block, Socket client, SessionFacts facts, SessionLog log, Sessions registry) {
        this.block = block;
        this.client = client;
        this.facts = facts;
        this.log = log;
        this.registry = registry;
    }

    @Override
    public void run() {
        Optional<UpstreamConnector.Connected> connected = Optional.empty();
        try {
            connected = new UpstreamConnector(block, log).connect(facts, proxyProtocolHeader());
            if (connected.isEmpty()) {
                facts.status(502);
                return;
            }
            upstream = connected.get().socket();
            if (client.isClosed()) {
                return; // shut down while we were connecting
            }
            relay(connected.get());
        } catch (RuntimeException e) {
            // A bug of ours: this session ends with 500 and the log says what; the others go on.
            facts.status(500);
            log.error("internal error: " + e);
        } finally {
            UpstreamConnector.closeQuietly(client);
            if (upstream != null) {
                UpstreamConnector.closeQuietly(upstream);
            }
            connected.ifPresent(c -> {
                c.firstBytes().run();
                block.group().release(c.peer(), false);
            });
            facts.end();
            registry.ended(this, facts);
        }
    }

    private void relay(UpstreamConnector.Connected connected) {
        ServerConfig config = block.config();
        Socket upstreamSocket = connected.socket();
        Activity activity = new Activity(config.timeout().toNanos());
        this.activity = activity;
        CountDownLatch firstEnd = new CountDownLatch(1);
        Pump up = new Pump(client, upstreamSocket, config.bufferSize(), config.uploadRate(), activity, firstEnd::countDown);
        Pump down = new Pump(upstreamSocket, client, config.bufferSize(), config.downloadRate(), activity, firstEnd::countDown)
                .onFirstBytes(connected.firstBytes());
        long started = System.nanoTime();
        Thread upThread = Thread.ofVirtual().name("pump client>upstream #" + facts.connection()).start(up);
        Thread downThread = Thread.ofVirtual().name("pump upstream>client #" + facts.connection()).start(down);
        uninterruptibly(firstEnd::await);
        Pump first = up.end() != null ? up : down;
        if (config.halfClose() && first.end() == Pump.End.EOF) {
            finishHalfClosed(first, up, down, upThread, downThread);
        } else {
            if (first == up && first.end() == Pump.End.ERROR && first.failedOnWrite()) {
                // The upstream went away while we wrote to it; why (a TLS alert, say) is still on
                // its way to the other pump, which will read it or an EOF at once.
                joinFor(downThread, Duration.ofSeconds(2));
            }
            endNow(first);
        }
        join(upThread);
        join(downThread);
        report(up, "client", "upstream", first == up);
        report(down, "upstream", "client", first == down);
        facts.clientBytes(down.bytes(), up.bytes());
        connected.attempt().ended(System.nanoTime() - started, up.bytes(), down.bytes());
    }

    /** proxy_half_close on: pass each EOF on and wait for the other direction, unless it fails. */
    private void finishHalfClosed(Pump first, Pump up, Pump down, Thread upThread, Thread downThread) {
        shutdownOutput(first == up ? upstream : client);
        Thread other = first == up ? downThread : upThread;
        Pump otherPump = first == up ? down : up;
        join(other);
        if (otherPump.end() == Pump.End.EOF) {
            shutdownOutput(first == up ? client : upstream);
        } else {
            endNow(otherPump);
        }
    }

    /**
     * Ends both directions now. After an orderly EOF or idle timeout both sockets are closed in
     * order; after an error the surviving peer is reset, so it cannot take a cut stream for whole.
     */
    private void endNow(Pump first) {
        if (first.end() == Pump.End.ERROR) {
            resetOnClose(first.failedOnWrite() ? first.from() : first.to());
        } else if (first.end() == Pump.End.IDLE) {
            log.info("timed out after " + block.config().timeout().toMillis() + "ms of no data (proxy_timeout)");
        }
        UpstreamConnector.closeQuietly(client);
        UpstreamConnector.closeQuietly(upstream);
    }

    /** @param endedFirst a pump that ended first failed on its own; a later one may just see our close */
    private void report(Pump pump, String from, String to, boolean endedFirst) {
        if (pump.end() != Pump.End.ERROR || pump.failure() == null || (!endedFirst && isOurClose(pump.failure()))) {
            return;
        }
        String peer = pump.failedOnWrite() ? to : from;
        String verb = pump.failedOnWrite() ? "writing to " : "reading from ";
        String alert = peer.equals("upstream") ? FailureReasons.alertReason(pump.failure()) : null;
        if (alert != null) {
            facts.verify(alert);
            if (pump.bytes() == 0 && from.equals("upstream")) {
                facts.status(502); // refused before it sent anything: the session never reached a server
            }
        }
        String message = verb + peer + " failed: " + (alert == null ? "" : alert + ": ") + pump.failure().getMessage()
                + " after " + pump.bytes() + " bytes " + from + ">" + to;
        if (peer.equals("upstream")) {
            log.warn(message);
        } else {
            log.info(message);
        }
    }

    /** A pump that failed because this session closed the socket under it is not news. */
    private boolean isOurClose(IOException e) {
        return e instanceof SocketException && "Socket closed".equals(e.getMessage())
                || (client.isClosed() && upstream.isClosed() && e instanceof SocketException);
    }

    /**
     * The PROXY protocol v1 line (haproxy.org proxy-protocol.txt §2.1) telling the upstream who the
     * client is, sent before the TLS ClientHello as NGINX does; null when proxy_protocol is off.
     */
    private byte[] proxyProtocolHeader() {
        if (!block.config().proxyProtocol()) {
            return null;
        }
        var source = (java.net.InetSocketAddress) client.getRemoteSocketAddress();
        var destination = (java.net.InetSocketAddress) client.getLocalSocketAddress();
        String family = source.getAddress() instanceof java.net.Inet6Address ? "TCP6" : "TCP4";
        String line = "PROXY " + family + " " + source.getAddress().getHostAddress() + " "
                + destination.getAddress().getHostAddress() + " " + source.getPort() + " " + destination.getPort() + "\r\n";
        return line.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Called by the proxy's idle sweeper: ends a relaying session idle for proxy_timeout. */
    void sweep(long now) {
        Activity current = activity;
        if (current != null && current.expireIfIdle(now)) {
            UpstreamConnector.closeQuietly(client);
            Socket u = upstream;
            if (u != null) {
                UpstreamConnector.closeQuietly(u);
            }
        }
    }

    /** Called at shutdown's deadline: closing the client makes both pumps return. */
    void abort() {
        resetOnClose(client);
        UpstreamConnector.closeQuietly(client);
        Socket u = upstream;
        if (u != null) {
            UpstreamConnector.closeQuietly(u);
        }
    }

    private void shutdownOutput(Socket socket) {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            // TLS 1.2 peers cannot half-close: after their EOF our close_notify may find the
            // connection gone. That is an orderly end, not an error.
            log.debug("half-close: " + e.getMessage());
        }
    }

    private static void resetOnClose(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException alreadyClosed) {
            // nothing to reset
        }
    }

    /** Something that waits and may be interrupted: a latch's await, a thread's join. */
    private interface Wait {
        void run() throws InterruptedException;
    }

    /**
     * Waits to the end even if interrupted (a session must not leave its pumps behind), then
     * restores the interrupt for whoever asked.
     */
    private static void uninterruptibly(Wait wait) {
        boolean interrupted = false;
        while (true) {
            try {
                wait.run();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinFor(Thread thread, Duration limit) {
        uninterruptibly(() -> thread.join(limit));
    }

    private static void join(Thread thread) {
        uninterruptibly(thread::join);
    }
}
