package loomproxy.proxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import loomproxy.config.ConfigLoader;
import loomproxy.config.HostPort;
import loomproxy.config.Location;
import loomproxy.config.ServerConfig;
import loomproxy.config.UpstreamGroupConfig;
import loomproxy.config.UpstreamServer;
import loomproxy.upstream.UpstreamGroup;

/** A server block whose one server has a port no configuration could give it: every connect is a bug of ours. */
final class BrokenBlock {
    private BrokenBlock() {
    }

    /**
     * @param topLevel   more keys at the top level, inherited by block {@code main} (limits)
     * @param maxConns   the server's max_conns, 0 for none
     */
    static Block in(Path dir, String topLevel, int maxConns) throws Exception {
        Path file = Files.writeString(dir.resolve("loomproxy.properties"),
                "server.main.listen = 127.0.0.1:0\nserver.main.proxy_pass = 127.0.0.1:9\n" + topLevel + "\n");
        ServerConfig config = ConfigLoader.load(file).servers().get(0);
        UpstreamServer server = new UpstreamServer(new HostPort("127.0.0.1", 65536), 1, 1, Duration.ofSeconds(10), maxConns,
                false, false);
        UpstreamGroup group = new UpstreamGroup(new UpstreamGroupConfig("broken", List.of(server), new Location(file, 1)),
                InstantSource.system());
        return new Block(config, group, Optional.empty());
    }
}
