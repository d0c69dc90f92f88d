package loomproxy.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code server.NAME} block: its own settings, else the top-level one (NGINX's merge of
 * {@code stream} into {@code server}), else the default of the directive table.
 */
final class ServerBuilder {
    private final String name;
    private final Section own;
    private final Section top;
    private final Problems problems;
    /** The names of the blocks that have listen and proxy_pass: "did you mean" when this one is a misspelt copy of one. */
    private final Set<String> complete;

    ServerBuilder(String name, Section own, Section top, Problems problems, Set<String> complete) {
        this.name = name;
        this.own = own;
        this.top = top;
        this.problems = problems;
        this.complete = complete;
    }

    /** The server block, or empty when it lacks {@code listen} or {@code proxy_pass} (reported). */
    Optional<ServerConfig> build(Groups groups) {
        Optional<List<ListenAddress>> listen = required(Directive.LISTEN, "[address:]port");
        Optional<UpstreamGroupConfig> upstream = required(Directive.PROXY_PASS, "NAME or host:port")
                .flatMap(target -> groups.resolve(target, own.setting(Directive.PROXY_PASS).orElseThrow()));
        if (listen.isEmpty() || upstream.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ServerConfig(name, listen.get(), upstream.get(),
                get(Directive.CONNECT_TIMEOUT), get(Directive.TIMEOUT), get(Directive.NEXT_UPSTREAM),
                get(Directive.NEXT_UPSTREAM_TRIES), get(Directive.NEXT_UPSTREAM_TIMEOUT), get(Directive.HALF_CLOSE),
                get(Directive.BUFFER_SIZE), get(Directive.UPLOAD_RATE), get(Directive.DOWNLOAD_RATE),
                get(Directive.PROXY_PROTOCOL), get(Directive.SOCKET_KEEPALIVE), access(), limits(), tls(), sources(),
                get(Directive.HEALTH_CHECK)));
    }

    /**
     * The block's allow/deny lines in file order; a block with no rule of its own takes the top
     * level's whole list (NGINX inherits the access rules only when a level has none).
     */
    private AccessRules access() {
        Section from = ownsAccessRules(own) ? own : top;
        record Line(int number, AccessRules.Rule rule) {}
        List<Line> lines = new ArrayList<>();
        for (boolean allow : new boolean[] {true, false}) {
            Directive<List<AllowList>> d = allow ? Directive.ALLOW : Directive.DENY;
            // Section keeps a repeatable key's valid settings and its values in the same order.
            List<Setting> settings = from.settings(d);
            List<AllowList> values = from.value(d).orElse(List.of());
            for (int i = 0; i < settings.size(); i++) {
                lines.add(new Line(settings.get(i).where().line(), new AccessRules.Rule(allow, values.get(i))));
            }
        }
        lines.sort(Comparator.comparingInt(Line::number));
        return lines.isEmpty() ? AccessRules.NONE : new AccessRules(lines.stream().map(Line::rule).toList());
    }

    static boolean ownsAccessRules(Section section) {
        return section.has(Directive.ALLOW) || section.has(Directive.DENY);
    }

    private ConnLimits limits() {
        return new ConnLimits(set(Directive.LIMIT_CONN).orElse(0), set(Directive.LIMIT_CONN_PER_ADDR).orElse(0),
                get(Directive.LIMIT_CONN_LOG_LEVEL));
    }

    /**
     * The block's TLS settings when every one of them is valid: a file can then be checked even if
     * the block has other problems, while an invalid {@code proxy_ssl_*} value (read as unset)
     * would only lead to confusing follow-on errors.
     */
    Optional<ServerTls> checkableTls() {
        boolean valid = Directive.ALL.stream().filter(d -> d.name().startsWith("proxy_ssl")).allMatch(this::valid);
        return valid ? Optional.of(new ServerTls(name, tls(), sources())) : Optional.empty();
    }

    /**
     * {@code proxy_ssl_*} keys in a block where proxy_ssl is off: the file reads like TLS, the
     * upstream gets plain TCP, and nothing else would say so. A key counts when it is set at the
     * level proxy_ssl's value comes from or closer to the block: keys inherited from the top level
     * by a block that turns proxy_ssl off itself are no mistake.
     */
    void warnTlsKeysWithoutTls() {
        if (checkableTls().isEmpty() || get(Directive.SSL)) {
            return;
        }
        int sslLevel = level(Directive.SSL);
        Directive.ALL.stream().filter(d -> d.name().startsWith("proxy_ssl_") && level(d) > 0 && level(d) >= sslLevel)
                .map(d -> own.setting(d).or(() -> top.setting(d)).orElseThrow())
                .min(Comparator.comparingInt(s -> s.where().line()))
                .ifPresent(s -> problems.warn(s.where(), s.key(), "set, but proxy_ssl is off in server " + name
                        + ", so the upstream gets plain TCP: set proxy_ssl = on, or remove the proxy_ssl_* keys"));
    }

    /** Where the value in effect comes from: 2 the block, 1 the top level, 0 the default. */
    private int level(Directive<?> d) {
        return own.has(d) ? 2 : top.has(d) ? 1 : 0;
    }

    /** False when the setting in effect (own or inherited) was invalid. */
    private boolean valid(Directive<?> d) {
        Section from = own.has(d) ? own : top;
        return !from.has(d) || from.value(d).isPresent();
    }

    private TlsConfig tls() {
        return new TlsConfig(get(Directive.SSL), set(Directive.SSL_CERTIFICATE),
                set(Directive.SSL_CERTIFICATE_KEY), set(Directive.SSL_PASSWORD_FILE),
                set(Directive.SSL_TRUSTED_CERTIFICATE), set(Directive.SSL_CRL), get(Directive.SSL_VERIFY),
                get(Directive.SSL_VERIFY_DEPTH), set(Directive.SSL_NAME), get(Directive.SSL_SERVER_NAME),
                get(Directive.SSL_PROTOCOLS), get(Directive.SSL_CIPHERS),
                set(Directive.SSL_CONF_COMMAND).orElse(List.of()), get(Directive.SSL_SESSION_REUSE));
    }

    /** Where every key this block uses was set: its own line, or the inherited top-level line. */
    private Sources sources() {
        Map<String, Location> byKey = new LinkedHashMap<>();
        Map<String, List<Location>> repeats = new LinkedHashMap<>();
        Map<String, String> written = new LinkedHashMap<>();
        for (Directive<?> d : Directive.ALL) {
            Section from = d == Directive.ALLOW || d == Directive.DENY ? (ownsAccessRules(own) ? own : top)
                    : own.has(d) ? own : top;
            from.setting(d).ifPresent(s -> {
                byKey.put(d.name(), s.where());
                written.put(d.name(), s.key());
            });
            if (d.repeatable()) {
                // The same section as set(d), so the lines line up with the values the block uses.
                repeats.put(d.name(), Section.lines(from.settings(d)));
            }
        }
        return new Sources(Map.copyOf(byKey), Map.copyOf(repeats), own.start(), Map.copyOf(written));
    }

    private <T> Optional<T> required(Directive<T> d, String form) {
        if (!own.has(d)) {
            String meant = Suggest.nearest(name, complete)
                    .map(b -> ", or did you mean server." + b + "?").orElse("");
            problems.add(own.start(), "server." + name, d.name() + " is required; add server." + name + "."
                    + d.name() + " = " + form + meant);
        }
        return own.value(d);
    }

    /** The block's own value, else the inherited one; a key set here but invalid does not inherit. */
    private <T> Optional<T> set(Directive<T> d) {
        return own.has(d) ? own.value(d) : top.value(d);
    }

    /** As {@link #set}, falling back to the table's default (only for keys that have one). */
    private <T> T get(Directive<T> d) {
        return set(d).or(d::parsedDefault).orElseThrow();
    }
}
