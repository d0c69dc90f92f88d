package loomproxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A whole, syntactically valid configuration file. Files it names are checked by the TLS layer;
 * {@code sources} says where each top-level key was set, for errors found after parsing; {@code admin}
 * is the admin endpoint's (SPEC §10); {@code resolverValid} how often names marked {@code resolve} are
 * looked up again (SPEC §11).
 */
public record ProxyConfig(Path file,
                          Map<String, UpstreamGroupConfig> upstreams,
                          List<ServerConfig> servers,
                          ErrorLogConfig errorLog,
                          AccessLogConfig accessLog,
                          Duration shutdownTimeout,
                          Duration tlsReloadInterval,
                          Sources sources,
                          AdminConfig admin,
                          Duration resolverValid) {}
