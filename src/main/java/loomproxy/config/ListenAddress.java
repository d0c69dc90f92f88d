package loomproxy.config;

/**
 * One {@code listen} entry. {@code address.host()} is {@code 0.0.0.0} when only a port was given,
 * as NGINX's {@code listen 12345} binds every IPv4 address. {@code backlog} is -1 when not set (the
 * JDK default then applies, as NGINX uses the system default).
 */
public record ListenAddress(HostPort address, int backlog, boolean reusePort, boolean soKeepalive) {}
