package loomproxy.config;

import java.util.List;

/**
 * An {@code upstream.NAME} group. A {@code proxy_pass host:port} becomes an implicit one-server group
 * named {@code host:port}, as in NGINX.
 */
public record UpstreamGroupConfig(String name, List<UpstreamServer> servers, Location where) {}
