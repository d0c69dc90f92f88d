package loomproxy.config;

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
            }
        }
    }
}
