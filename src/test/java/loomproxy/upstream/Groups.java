package loomproxy.upstream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import loomproxy.config.HostPort;
import loomproxy.config.Location;
import loomproxy.config.UpstreamGroupConfig;
import loomproxy.config.UpstreamServer;

/** Builds groups from NGINX-like server lines ({@code "a weight=5 backup"}) and drives them. */
final class Groups {
    private Groups() {
    }

    static UpstreamGroup group(TestClock clock, String... servers) {
        List<UpstreamServer> list = new ArrayList<>();
        for (String line : servers) {
            list.add(server(line));
        }
        return new UpstreamGroup(new UpstreamGroupConfig("backend", list, new Location(Path.of("test.conf"), 3)),
                clock);
    }

    /** Host (port 80) followed by NGINX's server parameters with their defaults. */
    static UpstreamServer server(String line) {
        String[] words = line.split(" ");
        int weight = 1, maxFails = 1, failTimeout = 10, maxConns = 0;
        boolean backup = false, down = false;
        for (int i = 1; i < words.length; i++) {
            String[] kv = words[i].split("=");
            switch (kv[0]) {
                case "weight" -> weight = Integer.parseInt(kv[1]);
                case "max_fails" -> maxFails = Integer.parseInt(kv[1]);
                case "fail_timeout" -> failTimeout = Integer.parseInt(kv[1]);
                case "max_conns" -> maxConns = Integer.parseInt(kv[1]);
                case "backup" -> backup = true;
                case "down" -> down = true;
                default -> throw new IllegalArgumentException("test server parameter: " + words[i]);
            }
        }
        return new UpstreamServer(new HostPort(words[0], 80), weight, maxFails, Duration.ofSeconds(failTimeout),
                maxConns, backup, down);
    }

    /** {@code n} sessions that each pick once and succeed; the chosen hosts separated by spaces. */
    static String picks(UpstreamGroup group, int n) {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Peer peer = group.pick(Set.of()).orElseThrow();
            group.release(peer, false);
            hosts.add(peer.address().host());
        }
        return String.join(" ", hosts);
    }

    /** Picks with {@code tried} and asserts the chosen host; the pick stays open (not released). */
    static Peer pickOpen(UpstreamGroup group, Set<Peer> tried, String host) {
        Peer peer = group.pick(tried).orElseThrow(() -> new AssertionError("no server, expected " + host));
        if (!peer.address().host().equals(host)) {
            throw new AssertionError("picked " + peer + ", expected " + host);
        }
        return peer;
    }
}
