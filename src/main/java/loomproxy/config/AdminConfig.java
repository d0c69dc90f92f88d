package loomproxy.config;

import java.util.Optional;

/**
 * The admin endpoint (SPEC §10): {@code admin_listen}, empty when off (the default), and
 * {@code admin_allow}, who may read it.
 */
public record AdminConfig(Optional<HostPort> listen, AllowList allow) {}
