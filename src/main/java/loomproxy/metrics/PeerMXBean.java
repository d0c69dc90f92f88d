package loomproxy.metrics;

import java.util.Map;

/**
 * One upstream server over JMX, {@code loomproxy:type=Peer,upstream=GROUP,name="HOST:PORT"}: its
 * state as on the status page and the figures of its {@code loomproxy_upstream_*} series. Times
 * are milliseconds since the epoch, 0 for never.
 */
public interface PeerMXBean {
    String getUpstream();

    String getName();

    /** {@code up}, {@code down}, {@code failed} or {@code unhealthy}. */
    String getState();

    /** May be chosen now (loomproxy_upstream_peer_up). */
    boolean isUp();

    boolean isBackup();

    int getSessionsActive();

    int getFails();

    long getLastFailureTime();

    String getLastFailureReason();

    long getConnects();

    double getConnectSecondsTotal();

    long getHandshakesFull();

    long getHandshakesResumed();

    double getHandshakeSecondsTotal();

    /** Failed tries at this server from every block, by reason. */
    Map<String, Long> getFailures();

    String getCertificateSubject();

    long getCertificateNotAfter();
}
