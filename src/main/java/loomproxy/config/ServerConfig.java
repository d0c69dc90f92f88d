package loomproxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One {@code server.NAME.*} block after top-level inheritance, with NGINX's defaults filled in.
 * {@code upstream} is the resolved {@code proxy_pass} target (a named group, or the implicit
 * one-server group for {@code host:port}). Rates are bytes per second, 0 = unlimited. {@code access}
 * and {@code limits} are SPEC §9's allow/deny rules and limit_conn*.
 * {@code healthCheck} is empty when the block checks nothing (SPEC §11).
 */
public record ServerConfig(String name,
                           List<ListenAddress> listen,
                           UpstreamGroupConfig upstream,
                           Duration connectTimeout,
                           Duration timeout,
                           boolean nextUpstream,
                           int nextUpstreamTries,
                           Duration nextUpstreamTimeout,
                           boolean halfClose,
                           int bufferSize,
                           long uploadRate,
                           long downloadRate,
                           ProxyProtocol proxyProtocol,
                           boolean socketKeepalive,
                           AccessRules access,
                           ConnLimits limits,
                           TlsConfig tls,
                           Sources sources,
                           Optional<HealthCheck> healthCheck) {}
