package loomproxy.config;

import java.time.Duration;

/**
 * One {@code server} of an upstream group with NGINX's parameters and defaults: weight 1,
 * max_fails 1 (0 disables failure accounting), fail_timeout 10s, max_conns 0 (unlimited).
 */
public record UpstreamServer(HostPort address, int weight, int maxFails, Duration failTimeout,
                             int maxConns, boolean backup, boolean down) {}
