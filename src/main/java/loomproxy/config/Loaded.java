package loomproxy.config;

import java.util.List;

/**
 * A configuration file read as far as it is valid ({@link ConfigLoader#load(java.nio.file.Path, Problems)}).
 * Without errors, {@code config} is the whole configuration and {@code dump} its effective settings
 * with their origins ({@code -T}). With errors, {@code config} holds the server blocks that were
 * valid and defaults for invalid top-level values, good only for checking further what can be
 * checked (log files); {@code tls} lists every block whose TLS settings were valid, so their files
 * are checked in the same run; {@code dump} is empty.
 */
public record Loaded(ProxyConfig config, List<ServerTls> tls, List<String> dump) {}
