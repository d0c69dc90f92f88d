package loomproxy.proxy;

import java.net.InetAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import loomproxy.config.ProxyConfig;
import loomproxy.config.Problems;
import loomproxy.config.ServerConfig;
import loomproxy.config.UpstreamGroupConfig;
import loomproxy.metrics.Metrics;
import loomproxy.tls.TlsFiles;
import loomproxy.tls.TlsSetup;
import loomproxy.tls.UpstreamTls;
import loomproxy.upstream.UpstreamGroup;

/**
 * The server blocks of one configuration, built so that whatever did not change is kept (SPEC §7):
 * an upstream group whose server list is the same and resolves to the same addresses is the same
 * object, with its state; a changed one
 * is new but its servers that stay keep their failure state; a block whose TLS settings and file
 * contents are the same keeps its TLS (the SSLContext and its session cache), and a changed one gets
 * a new context, so no session is resumed across a change of trust.
 *
 * @param tlsKept how many TLS blocks kept their context
 */
record Generation(List<Block> blocks, int tlsKept) {

    /**
     * Builds {@code config}'s blocks; problems (TLS files, names that do not resolve) go to
     * {@code problems}, which the caller throws.
     */
    static Generation build(ProxyConfig config, List<Block> previous, Metrics metrics, Problems problems,
                            Resolver resolver) {
        Map<String, UpstreamGroup> groups = new HashMap<>();
        Map<String, List<InetAddress>> answers = Resolver.load();
        List<Block> blocks = new ArrayList<>();
        int kept = 0;
        for (ServerConfig server : config.servers()) {
            UpstreamGroup group = groups.computeIfAbsent(server.upstream().name(), name -> group(server.upstream(),
                    resolver.addresses(server.upstream(), key(server), config.resolverValid(), answers, problems), previous));
            Optional<Block> before = previous.stream().filter(b -> b.name().equals(server.name())).findFirst();
            Optional<UpstreamTls> tls = before.flatMap(b -> sameTls(b, server));
            if (tls.isPresent()) {
                kept++;
            } else {
                tls = TlsSetup.load(server.tls(), server.sources(), problems, InstantSource.system());
            }
            blocks.add(new Block(server, group, tls, metrics.register(server.name(), group, tls.map(UpstreamTls::material))));
        }
        return new Generation(List.copyOf(blocks), kept);
    }

    /** Where a problem with the servers of {@code server}'s group is reported: the key that names them. */
    private static String key(ServerConfig server) {
        String group = server.upstream().name();
        return group.contains(":") ? "server." + server.name() + ".proxy_pass" : "upstream." + group;
    }

    /** The group as it was when nothing changed (servers and their addresses), else a new one with the state of the servers that stay. */
    private static UpstreamGroup group(UpstreamGroupConfig config, List<List<InetAddress>> addresses, List<Block> previous) {
        Optional<UpstreamGroup> before = previous.stream().map(Block::group)
                .filter(g -> g.name().equals(config.name())).findFirst();
        if (before.isPresent() && before.get().sameAs(config, addresses)) {
            return before.get();
        }
        UpstreamGroup group = new UpstreamGroup(config, addresses, InstantSource.system());
        before.ifPresent(group::carryOver);
        return group;
    }

    /** The previous block's TLS when it was made from exactly what {@code server} asks for now. */
    private static Optional<UpstreamTls> sameTls(Block before, ServerConfig server) {
        if (before.tls().isEmpty() || !server.tls().enabled()) {
            return Optional.empty();
        }
        UpstreamTls tls = before.tls().get();
        return tls.files().equals(TlsFiles.of(server.tls())) ? Optional.of(tls) : Optional.empty();
    }
}
