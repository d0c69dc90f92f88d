package loomproxy.config;

import java.time.Duration;

/**
 * One {@code server} of an upstream group with NGINX's parameters and defaults: weight 1,
 * max_fails 1 (0 disables failure accounting), fail_timeout 10s, max_conns 0 (unlimited).
 * {@code address} is as written: a name becomes one server per address it resolves to (SPEC §11),
 * looked up again every {@code resolver_valid} when {@code resolve} is set.
 */
public record UpstreamServer(HostPort address, int weight, int maxFails, Duration failTimeout,
                             int maxConns, boolean backup, boolean down, boolean resolve) {
    /** Without {@code resolve}, as most servers are written. */
    public UpstreamServer(HostPort address, int weight, int maxFails, Duration failTimeout, int maxConns,
                          boolean backup, boolean down) {
        this(address, weight, maxFails, failTimeout, maxConns, backup, down, false);
    }
}
