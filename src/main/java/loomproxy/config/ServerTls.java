package loomproxy.config;

/**
 * The {@code proxy_ssl*} settings of one server block with where each was set: what the TLS layer
 * loads its files from. Given even when the configuration has errors elsewhere (a missing listen,
 * a bad timeout), so that one {@code --check} reports the files' problems too.
 */
public record ServerTls(String server, TlsConfig tls, Sources sources) {}
