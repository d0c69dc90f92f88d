package loomproxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A whole, syntactically valid configuration file. Files it names are checked by the TLS layer;
 * {@code sources} says where each top-level key was set, for errors found after parsing.
 */
public record ProxyConfig(Path file,
                          Map<String, UpstreamGroupConfig> upstreams,
                          List<ServerConfig> servers,
                          ErrorLogConfig errorLog,
                          AccessLogConfig accessLog,
                          Duration shutdownTimeout,
                          Duration tlsReloadInterval,
                          Sources sources) {}
