package loomproxy.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two listen entries on the same address and port cannot both bind; NGINX refuses them at load time
 * ("duplicate address and port pair"), and so do we, before anything binds.
 */
final class ListenCheck {
    private ListenCheck() {}

    static void distinct(List<ServerConfig> servers, Problems problems) {
        Map<String, String> owner = new HashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (ServerConfig server : servers) {
            Location where = server.sources().of(Directive.LISTEN.name());
            for (ListenAddress listen : server.listen()) {
                if (listen.address().port() == 0) {
                    continue; // each port-0 listener gets its own free port
                }
                String address = listen.address().toString().toLowerCase(Locale.ROOT);
                String key = "server." + server.name() + "." + Directive.LISTEN.name();
                String first = owner.putIfAbsent(address, key + " at " + where);
                if (first != null) {
                    problems.add(where, key, "duplicate listen address " + listen.address()
                            + ", already used by " + first);
                }
                entries.add(new Entry(listen, key, where));
            }
        }
        wildcardsBesideAddresses(entries, problems);
    }

    private record Entry(ListenAddress listen, String key, Location where) {}

    /**
     * {@code listen 12345} beside {@code listen 10.0.0.1:12345}: NGINX binds only the wildcard and
     * picks the block by the address a client connected to; loomproxy binds every entry, and the
     * second bind would fail at start as "address in use" with nothing to say it is our own.
     * Two {@code reuseport} entries may share the port (the kernel prefers the specific one).
     */
    private static void wildcardsBesideAddresses(List<Entry> entries, Problems problems) {
        for (Entry wildcard : entries) {
            if (!isWildcard(wildcard.listen().address())) {
                continue;
            }
            for (Entry specific : entries) {
                HostPort address = specific.listen().address();
                if (specific == wildcard || isWildcard(address) || address.port() != wildcard.listen().address().port()
                        || !address.isIpLiteral() || wildcard.listen().reusePort() && specific.listen().reusePort()
                        || !covers(wildcard.listen().address(), address)) {
                    continue;
                }
                problems.add(wildcard.where(), wildcard.key(), wildcard.listen().address() + " takes every address of port "
                        + address.port() + ", so " + address + " of " + specific.key() + " at " + specific.where()
                        + " cannot bind beside it (NGINX would bind only the wildcard and choose the block by the address"
                        + " connected to; loomproxy binds each): give the two blocks different ports, or list addresses only");
            }
        }
    }

    private static boolean isWildcard(HostPort address) {
        return address.host().equals("0.0.0.0") || address.host().equals("::") || address.host().equals("*");
    }

    /** An IPv4 wildcard covers IPv4 addresses; the IPv6 one (dual-stack, as the JDK binds it) covers both. */
    private static boolean covers(HostPort wildcard, HostPort address) {
        return !wildcard.host().equals("0.0.0.0") || address.host().indexOf(':') < 0;
    }
}
