package loomproxy.proxy;

import java.util.Optional;
import loomproxy.config.ServerConfig;
import loomproxy.tls.UpstreamTls;
import loomproxy.upstream.UpstreamGroup;

/** A server block ready to run: its settings, its (possibly shared) upstream group and its TLS. */
record Block(ServerConfig config, UpstreamGroup group, Optional<UpstreamTls> tls) {
    String name() {
        return config.name();
    }
}
