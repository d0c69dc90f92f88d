package loomproxy.metrics;

import java.util.List;
import java.util.Map;

/**
 * One server block over JMX, {@code loomproxy:type=Server,name=NAME}: the figures of its
 * {@code loomproxy_*{server=NAME}} series. An MXBean, so maps arrive as open types that jconsole
 * and JMX exporters read without loomproxy's classes.
 */
public interface ServerMXBean {
    String getName();

    List<String> getListeners();

    long getConnectionsAccepted();

    long getSessionsActive();

    /** Ended sessions by $status ("200", "403", "500", "502", "503"). */
    Map<String, Long> getSessionsByStatus();

    long getClientBytesReceived();

    long getClientBytesSent();

    String getUpstream();

    /** TLS handshakes with this block's upstream servers, full and resumed. */
    long getUpstreamHandshakes();

    long getUpstreamHandshakesResumed();

    /** Failed tries at this block's upstream servers, by reason. */
    Map<String, Long> getUpstreamFailures();
}
