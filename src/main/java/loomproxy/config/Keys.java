package loomproxy.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sorts each key of the file into {@link Key}: {@code KEY} (top level), {@code server.NAME.KEY},
 * {@code upstream.NAME} or {@code log_format.NAME}. A key that fits none of them, or sits in the wrong
 * place, is reported with what to write instead.
 */
final class Keys {
    private static final String SERVER = "server.";
    private static final String UPSTREAM = "upstream.";
    private static final String LOG_FORMAT = "log_format.";
    static final String NAME_CHARS = "[A-Za-z0-9_-]+";
    /**
     * NGINX directives a translated configuration brings along that loomproxy deliberately has no
     * key for, with what to do instead, so their error is more than "unknown directive".
     */
    private static final String NO_CLIENT_TLS = "loomproxy accepts plain TCP from clients and never terminates TLS;"
            + " it speaks TLS only to the upstream (proxy_ssl_certificate is the client certificate it presents"
            + " there): remove it, and terminate client TLS in front of loomproxy";
    private static final Map<String, String> NGINX_ONLY = Map.of(
            "resolver", "loomproxy looks names up with the system's resolver (/etc/resolv.conf, /etc/hosts), not with"
                    + " DNS servers of its own: remove it, and write its valid= as resolver_valid (default 30s)",
            "resolver_timeout", "the system resolver's own timeout applies (options timeout: in /etc/resolv.conf): remove it",
            "limit_conn_zone", "loomproxy has no zones: remove it, and write limit_conn = N for the block's connections"
                    + " or limit_conn_per_addr = N for each client address's ($binary_remote_addr)",
            "ssl_certificate", NO_CLIENT_TLS,
            "ssl_certificate_key", NO_CLIENT_TLS,
            "ssl_client_certificate", NO_CLIENT_TLS,
            "ssl_verify_client", NO_CLIENT_TLS);
    /**
     * NGINX http directives whose stream (and loomproxy) counterpart has another name; suggested as
     * if misspelt. Other NGINX names ({@code ssl_protocols}) are found by {@link Suggest} itself.
     */
    private static final Map<String, String> NGINX_HTTP = Map.of(
            "proxy_read_timeout", "proxy_timeout",
            "proxy_send_timeout", "proxy_timeout");

    private Keys() {}

    /** The key's place, or empty after reporting why it has none. */
    static Optional<Key> classify(Setting s, Problems problems) {
        if (Semicolons.trailing(s.key())) {
            problems.add(s.where(), s.key(), "unknown directive" + Semicolons.advice(problems));
            return Optional.empty();
        }
        try {
            return Optional.of(place(s, s.key()));
        } catch (InvalidValueException e) {
            problems.add(s.where(), s.key(), e.getMessage());
            return Optional.empty();
        }
    }

    private static Key place(Setting s, String key) throws InvalidValueException {
        if (key.isEmpty()) {
            throw new InvalidValueException("empty key; a line is KEY = VALUE");
        }
        if (key.startsWith(SERVER)) {
            return server(s, key.substring(SERVER.length()));
        }
        if (key.startsWith(UPSTREAM)) {
            return upstream(s, key.substring(UPSTREAM.length()));
        }
        if (key.startsWith(LOG_FORMAT)) {
            return new Key.Named(name(key.substring(LOG_FORMAT.length())), Directive.LOG_FORMAT, s);
        }
        return top(s, key);
    }

    private static Key server(Setting s, String rest) throws InvalidValueException {
        int dot = rest.indexOf('.');
        if (dot < 0) {
            throw new InvalidValueException("a server key is server.NAME.KEY, such as server." + rest + ".listen");
        }
        String block = name(rest.substring(0, dot));
        String key = rest.substring(dot + 1);
        Optional<Directive<?>> d = Directive.named(key).filter(x -> x.scope() != Directive.Scope.UPSTREAM);
        if (key.startsWith(LOG_FORMAT) || d.map(x -> x.scope() == Directive.Scope.TOP).orElse(false)) {
            throw new InvalidValueException("only valid at top level; write " + key + " without the server."
                    + block + ". prefix");
        }
        Directive<?> known = d.orElseThrow(() -> unknown(key, SERVER + block + ".",
                Directive.Scope.SERVER, Directive.Scope.BOTH));
        return new Key.Server(block, known, s);
    }

    private static Key upstream(Setting s, String rest) throws InvalidValueException {
        int dot = rest.indexOf('.');
        if (dot < 0) {
            return new Key.Named(name(rest), Directive.UPSTREAM, s);
        }
        String group = name(rest.substring(0, dot));
        String key = rest.substring(dot + 1);
        if (Directive.named(key).filter(x -> x.scope() == Directive.Scope.BOTH).isPresent()) {
            // NGINX Plus writes health_check in the server {} that proxies to the group, not in the upstream.
            throw new InvalidValueException("not valid in an upstream; set it in the server block that proxies to"
                    + " upstream " + group + " (server.NAME." + key + "), or at top level for every block");
        }
        Directive<?> known = Directive.named(key).filter(x -> x.scope() == Directive.Scope.UPSTREAM && x != Directive.UPSTREAM)
                .orElseThrow(() -> new InvalidValueException("unknown directive; the servers of a group are written upstream."
                        + group + " = host:port, ..."));
        return new Key.Named(group, known, s);
    }

    private static Key top(Setting s, String key) throws InvalidValueException {
        Directive<?> known = Directive.named(key).orElseThrow(() -> unknown(key, "",
                Directive.Scope.TOP, Directive.Scope.BOTH));
        return switch (known.scope()) {
            case SERVER -> throw new InvalidValueException("only valid in a server block; write server.NAME." + key);
            case UPSTREAM -> throw new InvalidValueException(known == Directive.UPSTREAM
                    ? "write upstream.NAME = host:port, ..." : "write upstream.NAME." + key);
            case TOP, BOTH -> {
                if (known == Directive.LOG_FORMAT) {
                    throw new InvalidValueException("write log_format.NAME = text");
                }
                yield new Key.Top(known, s);
            }
        };
    }

    private static String name(String name) throws InvalidValueException {
        if (!name.matches(NAME_CHARS)) {
            throw new InvalidValueException("invalid name \"" + name + "\", use letters, digits, _ and -");
        }
        return name;
    }

    /** "unknown directive", with the nearest supported key of the same place, or of the section prefix. */
    private static InvalidValueException unknown(String key, String prefix, Directive.Scope... scopes) {
        String instead = NGINX_ONLY.get(key);
        if (instead != null) {
            return new InvalidValueException("not a loomproxy directive; " + instead);
        }
        List<String> names = Directive.ALL.stream()
                .filter(d -> List.of(scopes).contains(d.scope()) && d != Directive.LOG_FORMAT)
                .map(Directive::name).toList();
        Optional<String> near = Optional.ofNullable(NGINX_HTTP.get(key)).or(() -> Suggest.nearest(key, names))
                .map(n -> prefix + n);
        int dot = key.indexOf('.');
        if (near.isEmpty() && prefix.isEmpty() && dot > 0) {
            near = Suggest.nearest(key.substring(0, dot), List.of("server", "upstream", "log_format"))
                    .map(p -> p + key.substring(dot));
        }
        // Never a suggestion that is no key: the rest of the key is copied after a corrected prefix.
        near = near.filter(n -> n.matches("[A-Za-z0-9_.-]+"));
        return new InvalidValueException("unknown directive" + near.map(n -> ", did you mean " + n + "?").orElse(""));
    }
}
