package loomproxy.proxy;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import loomproxy.config.Location;
import loomproxy.config.Problems;
import loomproxy.config.UpstreamGroupConfig;
import loomproxy.config.UpstreamServer;
import loomproxy.tls.trust.UpstreamTrust;
import loomproxy.upstream.UpstreamGroup;

/**
 * DNS for upstream servers, as NGINX does it (SPEC §11): a server written as a name is looked up
 * when a configuration is loaded (start, reload, {@code --check}), and every address becomes a
 * server with the same parameters, in the resolver's order. A name that does not resolve is a
 * configuration error — unless the server has {@code resolve}: then it is a warning, the server has
 * no address yet, and {@link #refresh} looks it up again every {@code resolver_valid}, adding and
 * removing addresses in the running group. Nothing on the data path looks anything up.
 *
 * <p>The lookup is the JDK's ({@link InetAddress#getAllByName}) unless a test gives another: a
 * function from a name to its addresses, empty when it has none.
 */
final class Resolver {
    /** The JDK's resolver: the hosts file and DNS, or {@code -Djdk.net.hosts.file} alone. */
    static final Function<String, List<InetAddress>> SYSTEM = Resolver::system;

    private final Function<String, List<InetAddress>> lookup;
    private final System.Logger log;
    /** Names whose last lookup at {@link #refresh} failed, so the failure is logged once. */
    private final Set<String> failing = new HashSet<>();

    Resolver(Function<String, List<InetAddress>> lookup, System.Logger log) {
        this.lookup = lookup;
        this.log = log;
    }

    /**
     * The addresses of every server line of {@code config}, for a configuration being loaded;
     * a name that resolves to nothing is a problem (or, with {@code resolve}, a warning and no
     * address), reported at {@code key}: {@code upstream.NAME}, or {@code server.NAME.proxy_pass} for
     * a group that is one {@code host:port}. {@code seen} keeps the answers of this load, so a name is
     * asked once per load.
     */
    List<List<InetAddress>> addresses(UpstreamGroupConfig config, String key, Duration resolverValid,
                                      Map<String, List<InetAddress>> seen, Problems problems) {
        List<List<InetAddress>> out = new ArrayList<>();
        for (UpstreamServer server : config.servers()) {
            List<InetAddress> found = seen.computeIfAbsent(server.address().host(), this::lookup);
            if (found.isEmpty()) {
                String message = "host not found in upstream \"" + server.address() + "\"";
                Location where = config.where();
                if (server.resolve()) {
                    problems.warn(where, key, message + "; it has no server until it resolves, and is looked up again"
                            + " every " + resolverValid.toMillis() + "ms (resolver_valid)");
                } else {
                    problems.add(where, key, message + "; correct the name, or " + resolveAdvice(server, key));
                }
            }
            out.add(found);
        }
        return out;
    }

    /**
     * How to have the name looked up again: {@code resolve} is a parameter of a server in an
     * {@code upstream.NAME} line, so a {@code proxy_pass host:port} (where it cannot be written)
     * needs a group of its own first.
     */
    private static String resolveAdvice(UpstreamServer server, String key) {
        String until = " to look it up again every resolver_valid until it resolves";
        if (key.endsWith(".proxy_pass")) {
            return "define a group" + until + ": upstream.NAME = " + server.address() + " resolve, and proxy_pass = NAME";
        }
        return "add resolve" + until;
    }

    /**
     * Looks up again the names of {@code group}'s servers that have {@code resolve}: by server line,
     * what each name resolves to now (empty when it does not). Slow when DNS is, so no lock is held.
     */
    Map<Integer, List<InetAddress>> lookUpAgain(UpstreamGroup group) {
        Map<Integer, List<InetAddress>> found = new HashMap<>();
        List<UpstreamServer> lines = group.lines();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).resolve()) {
                found.put(i, lookup(lines.get(i).address().host()));
            }
        }
        return found;
    }

    /**
     * Applies what {@link #lookUpAgain} found; a lookup that failed keeps the addresses the last one
     * found (a DNS outage empties no group), logged once until the name resolves again.
     *
     * @return true when the group's servers changed
     */
    boolean apply(UpstreamGroup group, Map<Integer, List<InetAddress>> found) {
        boolean changed = false;
        for (Map.Entry<Integer, List<InetAddress>> e : new java.util.TreeMap<>(found).entrySet()) {
            int line = e.getKey();
            String what = "upstream " + group.name() + ": " + group.lines().get(line).address();
            if (e.getValue().isEmpty()) {
                if (failing.add(what)) {
                    log.log(Level.WARNING, what + " could not be resolved; keeping its addresses until it resolves");
                }
                continue;
            }
            if (failing.remove(what)) {
                log.log(Level.INFO, what + " resolves again");
            }
            if (group.update(line, e.getValue())) {
                changed = true;
                log.log(Level.INFO, what + " now resolves to " + group.peersOf(line));
            }
        }
        return changed;
    }

    /** True when some server of {@code group} is looked up again from time to time. */
    static boolean resolving(UpstreamGroup group) {
        return group.lines().stream().anyMatch(UpstreamServer::resolve);
    }

    /** An IP literal is its own address, whatever the lookup function knows. */
    private List<InetAddress> lookup(String host) {
        if (UpstreamTrust.isIpLiteral(host)) {
            try {
                return List.of(InetAddress.getByName(host)); // a literal: parsed, never looked up
            } catch (UnknownHostException e) {
                return List.of();
            }
        }
        return List.copyOf(lookup.apply(host));
    }

    private static List<InetAddress> system(String host) {
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            return List.of();
        }
    }

    /** A fresh memory of answers for one load. */
    static Map<String, List<InetAddress>> load() {
        return new HashMap<>();
    }
}
