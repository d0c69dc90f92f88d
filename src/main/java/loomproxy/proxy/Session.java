package loomproxy.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import loomproxy.config.ServerConfig;
import loomproxy.observe.SessionFacts;
import loomproxy.tls.FailureReasons;

/**
 * One accepted connection, from upstream choice to the access log line; a connection refused by a
 * limit or an access rule only logs why and is closed (SPEC §9). It owns both sockets and
 * ends them itself; the two {@link Pump}s only read and write, and the idle sweeper and shutdown
 * only signal or reset (SPEC §7: nothing but the session's own thread may wait on its peers, and
 * it never without a deadline).
 *
 * <p>Ending, as NGINX's proxy_half_close: off, the first EOF from either side ends the session;
 * on, each EOF is passed on ({@code shutdownOutput}, which on an SSLSocket sends close_notify and
 * then FIN) and the session ends when both directions are done. An error in either direction ends
 * the session at once and the other side's connection is reset rather than closed in order, so a
 * peer never mistakes a truncated stream for a complete one.
 */
final class Session implements Runnable {
    /**
     * How long closing a TLS upstream may wait to hand its close_notify to the kernel: NGINX's
     * ngx_ssl_shutdown never waits for it at all, so a peer that stopped reading gets a reset.
     */
    static final Duration CLOSE_NOTIFY_DEADLINE = Duration.ofSeconds(3);
    /** After an upstream write failed, how long to wait for the reason (an alert) to be read. */
    private static final Duration ALERT_GRACE = Duration.ofSeconds(2);

    private final Block block;
    private final Socket client;
    private final Socket spare;
    private final SessionFacts facts;
    private final SessionLog log;
    private final Sessions registry;
    private final Deadlines deadlines;
    private final Admission admission;
    /** What the session reads and writes upstream: an SSLSocket, or the TCP socket itself. */
    private volatile Socket upstream;
    /** The TCP connection under {@link #upstream}, known from the first connect on, so it can be reset. */
    private volatile Socket upstreamTcp;
    private volatile Activity activity;
    private volatile Ending ending;
    private volatile boolean aborted;
    /** Whether the upstream asked for our certificate, and we had one; null when it did not ask (or plain TCP). */
    private Boolean certificateRequested;
    /** The server the session relays to, named in its failure lines. */
    private String upstreamPeer;

    /** A session admitted without limits or rules (tests of the data path). */
    Session(Block block, Socket client, Socket spare, SessionFacts facts, SessionLog log, Sessions registry,
            Deadlines deadlines) {
        this(block, client, spare, facts, log, registry, deadlines, Admission.uncounted());
    }

    /**
     * @param spare     an unconnected upstream socket made before accepting, so an accepted session can be
     *                  served; null for a refused one
     * @param admission what the limits and access rules decided at accept (SPEC §9)
     */
    Session(Block block, Socket client, Socket spare, SessionFacts facts, SessionLog log, Sessions registry,
            Deadlines deadlines, Admission admission) {
        this.block = block;
        this.admission = admission;
        this.client = client;
        this.spare = spare;
        this.facts = facts;
        this.log = log;
        this.registry = registry;
        this.deadlines = deadlines;
    }

    @Override
    public void run() {
        Optional<UpstreamConnector.Connected> connected = Optional.empty();
        try {
            if (!admission.admitted()) {
                // Refused before any upstream work (no connection, no TLS): closed in the finally below.
                log.at(admission.level(), admission.refusal());
                facts.status(admission.status());
                return;
            }
            var connector = new UpstreamConnector(block, log, deadlines, spare, tcp -> upstreamTcp = tcp, () -> aborted);
            connected = connector.connect(facts, proxyProtocolHeader());
            if (connected.isEmpty()) {
                facts.status(502);
                if (aborted) {
                    log.info("closed at shutdown after shutdown_timeout, while connecting to upstream");
                }
                return;
            }
            upstream = connected.get().socket();
            if (!aborted) {
                relay(connected.get());
            }
        } catch (RuntimeException | Error e) {
            // A bug of ours: this session ends with 500 and the log says what; the others go on.
            facts.status(500);
            log.error("internal error: " + e);
        } finally {
            try {
                closeBoth();
                connected.ifPresent(c -> {
                    c.firstBytes().run();
                    block.group().release(c.peer(), false);
                });
            } finally {
                facts.end();
                registry.ended(this, facts);
            }
        }
    }

    private void relay(UpstreamConnector.Connected connected) {
        ServerConfig config = block.config();
        Socket upstreamSocket = connected.socket();
        Ending ending = new Ending();
        Activity activity = new Activity(config.timeout().toNanos());
        Pump up = new Pump(client, upstreamSocket, config.bufferSize(), config.uploadRate(), activity, ending);
        Pump down = new Pump(upstreamSocket, client, config.bufferSize(), config.downloadRate(), activity, ending)
                .onFirstBytes(connected.firstBytes());
        long started = System.nanoTime();
        Thread upThread = Thread.ofVirtual().name("pump client>upstream #" + facts.connection()).unstarted(up);
        Thread downThread = Thread.ofVirtual().name("pump upstream>client #" + facts.connection()).unstarted(down);
        this.ending = ending;
        this.activity = activity;
        upThread.start();
        downThread.start();
        Pump first = ending.awaitFirst();
        if (first == null) {
            endIdle(up, down);
        } else if (config.halfClose() && first.end() == Pump.End.EOF) {
            finishHalfClosed(first, first == up ? down : up);
        } else {
            if (first == up && first.end() == Pump.End.ERROR && first.failedOnWrite()) {
                // The upstream went away while we wrote to it; why (a TLS alert, say) is still on
                // its way to the other pump, which will read it or an EOF at once.
                ending.awaitBoth(ALERT_GRACE.toNanos());
            } else if (first == down && first.end() == Pump.End.EOF && (up.writing() || up.failedOnWrite())
                    && ending.awaitBoth(ALERT_GRACE.toNanos()) && up.end() == Pump.End.ERROR) {
                // The other order of the same thing: JSSE turns a write that meets the upstream's
                // reset into a fatal close of the whole connection, so the upstream reader may see
                // an EOF before the writer's exception is out. The reset is what ended the session:
                // it is logged, and the client is reset too, never given a cut stream as whole.
                first = up;
            }
            endNow(first);
        }
        join(upThread);
        join(downThread);
        if (aborted) {
            log.info("closed at shutdown after shutdown_timeout");
        } else if (!ending.isIdle()) {
            certificateRequested = connected.certificateRequested();
            upstreamPeer = connected.peer().toString();
            // An alert read from the upstream says why it went away; the write that met its close
            // before the alert arrived (a broken pipe) says nothing more.
            boolean alertExplains = down.end() == Pump.End.ERROR && down.failure() != null
                    && FailureReasons.alertReason(down.failure()) != null;
            String upFailure = alertExplains && up.failedOnWrite() ? null : report(up, "client", "upstream", first == up);
            String downFailure = report(down, "upstream", "client", first == down);
            if (first == down && down.end() == Pump.End.EOF && down.bytes() == 0 && certificateRequested != null
                    && connected.socket() instanceof SSLSocket tls && "TLSv1.3".equals(tls.getSession().getProtocol())) {
                // A TLS 1.3 server judges our certificate after the handshake is over for us; NGINX
                // as an upstream then just closes (close_notify, no alert). A silent close before
                // any byte, from a server that asked for a certificate, is most likely that.
                log.warn("upstream " + connected.peer() + " closed the connection after the TLS handshake without"
                        + " sending anything; it asked for a client certificate: " + certificateAdvice()
                        + " (its error log says why)");
            }
            if (upFailure != null || downFailure != null) {
                block.metrics().route(connected.peer()).failed(downFailure != null ? downFailure : upFailure);
            }
        }
        facts.clientBytes(down.bytes(), up.bytes());
        connected.attempt().ended(System.nanoTime() - started, up.bytes(), down.bytes());
    }

    /** proxy_half_close on: pass each EOF on and wait for the other direction, unless it fails or idles. */
    private void finishHalfClosed(Pump first, Pump other) {
        shutdownOutput(first.to());
        if (!ending.awaitBoth()) {
            endIdle(first, other);
            return;
        }
        if (other.end() == Pump.End.EOF) {
            shutdownOutput(other.to());
            closeBoth();
        } else {
            endNow(other);
        }
    }

    /**
     * Ends both directions now. After an orderly EOF both sockets are closed in order; after an
     * error the surviving peer is reset, so it cannot take a cut stream for whole.
     */
    private void endNow(Pump first) {
        if (first.end() == Pump.End.ERROR) {
            Sockets.reset(tcpOf(first.failedOnWrite() ? first.from() : first.to()));
        }
        closeBoth();
    }

    /**
     * proxy_timeout passed with no byte either way. A pump still blocked writing means its peer
     * stopped reading with our bytes undelivered: that side is reset, the rest closed in order.
     */
    private void endIdle(Pump up, Pump down) {
        log.info("timed out after " + block.config().timeout().toMillis() + "ms of no data (proxy_timeout)");
        for (Pump pump : new Pump[] {up, down}) {
            if (pump.writing()) {
                Sockets.reset(tcpOf(pump.to()));
            }
        }
        closeBoth();
    }

    /** The client closed in order; a TLS upstream gets its close_notify within {@link #CLOSE_NOTIFY_DEADLINE}. */
    private void closeBoth() {
        Sockets.closeQuietly(client);
        Socket u = upstream;
        Socket tcp = upstreamTcp;
        if (u != null && u != tcp && !u.isClosed()) {
            Deadlines.Deadline deadline = deadlines.arm(tcp, CLOSE_NOTIFY_DEADLINE.toNanos());
            Sockets.closeQuietly(u);
            if (!deadline.disarm()) {
                log.info("upstream did not take close_notify within " + CLOSE_NOTIFY_DEADLINE.toMillis() + "ms; reset");
            }
        }
        Sockets.closeQuietly(tcp);
        Sockets.closeQuietly(spare);
    }

    /** Sends EOF one way: FIN to the client, close_notify and FIN to a TLS upstream (within a deadline). */
    private void shutdownOutput(Socket socket) {
        boolean tls = socket != client && socket != upstreamTcp;
        Deadlines.Deadline deadline = tls ? deadlines.arm(upstreamTcp, CLOSE_NOTIFY_DEADLINE.toNanos()) : null;
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            // TLS 1.2 peers cannot half-close: after their EOF our close_notify may find the
            // connection gone. That is an orderly end, not an error.
            log.debug("half-close: " + e.getMessage());
        } finally {
            if (deadline != null) {
                deadline.disarm();
            }
        }
    }

    /** The TCP socket to reset for one of the session's sockets. */
    private Socket tcpOf(Socket socket) {
        return socket == client ? client : upstreamTcp;
    }

    /**
     * @param endedFirst a pump that ended first failed on its own; a later one may just see our close
     * @return the upstream's failure reason for the metrics (a TLS alert, {@code reset}), or null
     */
    private String report(Pump pump, String from, String to, boolean endedFirst) {
        // A pump that did not end first and failed on a socket error most likely met our own close
        // (closing stops reading first, which JSSE then reports as a close without close_notify).
        if (pump.end() != Pump.End.ERROR || pump.failure() == null
                || !endedFirst && (pump.failure() instanceof SocketException || FailureReason.isTruncation(pump.failure()))) {
            return null;
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
        String advice = "client_cert_rejected".equals(alert) && certificateRequested != null ? certificateAdvice() + "; " : "";
        String who = peer.equals("upstream") ? "upstream " + upstreamPeer : peer;
        boolean truncated = peer.equals("upstream") && FailureReason.isTruncation(pump.failure());
        String what = truncated ? "truncated: it closed the connection without close_notify, so what came before may be"
                + " cut short; the client is reset rather than given it as whole" : pump.failure().getMessage();
        String message = verb + who + " failed: " + (alert == null ? "" : alert + ": ") + advice + what
                + " after " + pump.bytes() + " bytes " + from + ">" + to;
        if (peer.equals("upstream")) {
            log.warn(message);
            return alert != null ? alert : truncated ? "truncated" : FailureReason.isReset(pump.failure()) ? "reset" : null;
        }
        log.info(message);
        return null;
    }

    /** What to do about a client certificate the upstream asked for and then, it seems, refused. */
    private String certificateAdvice() {
        return certificateRequested ? "it may have refused proxy_ssl_certificate"
                : "proxy_ssl_certificate is not set; set it and proxy_ssl_certificate_key";
    }

    /** The PROXY protocol header for this client, or null (proxy_protocol off). */
    private byte[] proxyProtocolHeader() {
        return ProxyHeader.of(block.config().proxyProtocol(), (InetSocketAddress) client.getRemoteSocketAddress(),
                (InetSocketAddress) client.getLocalSocketAddress());
    }

    Block block() {
        return block;
    }

    Admission admission() {
        return admission;
    }

    /** From the idle sweeper: never touches a socket, only tells the session. */
    void sweep(long now) {
        Activity current = activity;
        if (current != null && current.expireIfIdle(now)) {
            ending.wentIdle();
        }
    }

    /**
     * From shutdown, at shutdown_timeout: resets both TCP connections, which wakes whatever the
     * session's threads are blocked on (a connect, a handshake, a read or a write) at once.
     */
    void abort() {
        aborted = true; // before reading upstreamTcp: UpstreamConnector.tryPeer relies on this order
        Sockets.reset(client);
        Sockets.reset(upstreamTcp);
    }

    private static void join(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // a session must not leave its pumps behind
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
