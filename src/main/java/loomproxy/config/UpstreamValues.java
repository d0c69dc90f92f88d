package loomproxy.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code upstream.NAME = host:port [weight=N] [max_fails=N] [fail_timeout=T] [max_conns=N] [backup] [down] [resolve], ...}:
 * the server lines of an NGINX stream {@code upstream} block, one per comma-separated entry.
 * {@code resolve} (NGINX 1.27.3, NGINX Plus) looks the name up again every {@code resolver_valid}.
 */
final class UpstreamValues {
    private UpstreamValues() {}

    static List<UpstreamServer> parse(String value) throws InvalidValueException {
        List<UpstreamServer> out = new ArrayList<>();
        for (String entry : value.split(",", -1)) {
            List<String> words = Values.words(entry);
            if (words.isEmpty()) {
                throw new InvalidValueException("empty server entry in \"" + value
                        + "\", servers are separated by single commas");
            }
            out.add(inEntry(words, entry.strip()));
        }
        // ngx_stream_upstream_init_round_robin refuses a group without a primary server ("no servers in upstream").
        if (out.stream().allMatch(UpstreamServer::backup)) {
            throw new InvalidValueException("every server is a backup server; at least one primary server is required");
        }
        return List.copyOf(out);
    }

    private static UpstreamServer inEntry(List<String> words, String entry) throws InvalidValueException {
        try {
            return server(words, entry);
        } catch (InvalidValueException e) {
            throw e.getMessage().contains(entry) ? e : new InvalidValueException(e.getMessage() + " (in \"" + entry + "\")");
        }
    }

    /** One server with NGINX's defaults: weight 1, max_fails 1, fail_timeout 10s, max_conns 0. */
    static UpstreamServer single(HostPort address) {
        return new UpstreamServer(address, 1, 1, Duration.ofSeconds(10), 0, false, false);
    }

    private static UpstreamServer server(List<String> words, String entry) throws InvalidValueException {
        if (words.size() > 1 && words.get(0).equals("server")) {
            // NGINX writes each server of an upstream {} block as "server host:port ...;".
            throw new InvalidValueException("drop NGINX's \"server\" keyword: write " + String.join(" ", words.subList(1, words.size()))
                    + " (servers are host:port [parameters], separated by commas)");
        }
        HostPort address = Values.hostPort(words.get(0));
        int weight = 1;
        int maxFails = 1;
        Duration failTimeout = Duration.ofSeconds(10);
        int maxConns = 0;
        boolean backup = false;
        boolean down = false;
        boolean resolve = false;
        for (String param : words.subList(1, words.size())) {
            String name = param.substring(0, param.indexOf('=') + 1);
            String v = param.substring(name.length());
            switch (name.isEmpty() ? param : name) {
                case "weight=" -> weight = Values.number(v, 1);
                case "max_fails=" -> maxFails = Values.number(v, 0);
                case "fail_timeout=" -> failTimeout = Values.seconds(v);
                case "max_conns=" -> maxConns = Values.number(v, 0);
                case "backup" -> backup = true;
                case "down" -> down = true;
                case "resolve" -> resolve = true;
                default -> throw new InvalidValueException("invalid parameter \"" + param + "\" in \"" + entry
                        + "\", a server takes weight=N max_fails=N fail_timeout=T max_conns=N backup down resolve");
            }
        }
        if (resolve && address.isIpLiteral()) {
            throw new InvalidValueException("resolve in \"" + entry + "\" names an IP address, which has nothing to look up;"
                    + " remove resolve or write a host name");
        }
        return new UpstreamServer(address, weight, maxFails, failTimeout, maxConns, backup, down, resolve);
    }
}
