package loomproxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration for {@code -T}, every value followed by where it was set. NGINX's
 * {@code -T} prints its files; here a server block's values come from three places (its own keys,
 * the top level, the defaults), so what each block ends up with is printed instead:
 *
 * <pre>
 * shutdown_timeout = 30s                  # default
 * upstream.backend = a:1, b:1 weight=2    # /etc/loomproxy/loomproxy.properties:1
 *
 * server main
 *   listen = 12345                        # /etc/loomproxy/loomproxy.properties:3
 *   proxy_connect_timeout = 5s            # /etc/loomproxy/loomproxy.properties:2
 * </pre>
 *
 * Values are printed as written (trimmed), paths resolved against the file's directory, each on one
 * line ({@link Printable}). No file is read here, so nothing secret can appear: the configuration
 * holds paths to key and password files, never their content.
 */
final class Dump {
    /** The origin comments start in this column unless a value is longer. */
    private static final int COLUMN = 48;

    private final Path file;
    private final Section top;
    private final Map<String, Section> servers;
    private final Map<String, Section> upstreams;
    private final Map<String, Section> formats;

    Dump(Path file, Section top, Map<String, Section> servers, Map<String, Section> upstreams, Map<String, Section> formats) {
        this.file = file;
        this.top = top;
        this.servers = servers;
        this.upstreams = upstreams;
        this.formats = formats;
    }

    private record Entry(String setting, String origin) {}

    List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("# the effective configuration of " + Printable.escape(file.toString())
                + "; after each value, where it was set (FILE:LINE) or default");
        List<Entry> topLevel = new ArrayList<>();
        for (Directive<?> d : Directive.ALL) {
            if (d.scope() == Directive.Scope.TOP && d != Directive.LOG_FORMAT) {
                topLevel.addAll(entries(d.name(), d, top, null));
            }
        }
        topLevel.add(new Entry("log_format." + Logs.MAIN + " = " + Logs.MAIN_FORMAT, "default"));
        formats.forEach((name, format) -> topLevel.addAll(entries("log_format." + name, Directive.LOG_FORMAT, format, null)));
        upstreams.forEach((name, group) -> topLevel.addAll(entries("upstream." + name, Directive.UPSTREAM, group, null)));
        aligned(topLevel, "", out);
        servers.forEach((name, own) -> {
            out.add("");
            out.add("server " + name);
            List<Entry> block = new ArrayList<>();
            for (Directive<?> d : Directive.ALL) {
                if (d == Directive.ALLOW) {
                    block.addAll(accessRules(own, top));
                } else if (d != Directive.DENY
                        && (d.scope() == Directive.Scope.SERVER || d.scope() == Directive.Scope.BOTH)) {
                    block.addAll(entries(d.name(), d, own, top));
                }
            }
            aligned(block, "  ", out);
        });
        return List.copyOf(out);
    }

    /** The key's settings in {@code own}, else in {@code inherited} (may be null), else its default. */
    private static List<Entry> entries(String key, Directive<?> d, Section own, Section inherited) {
        Section from = own.has(d) || inherited == null ? own : inherited;
        List<Setting> settings = from.settings(d);
        if (settings.isEmpty()) {
            return List.of(new Entry(key + " = " + unset(d), "default"));
        }
        Object parsed = from.value(d).orElse(null);
        return settings.stream().map(s -> new Entry(key + " = " + shown(parsed, s.value()), s.where().toString())).toList();
    }

    /**
     * The block's allow and deny lines together, in file order (the order decides); its own, or
     * the top level's when it has none (SPEC §9).
     */
    private static List<Entry> accessRules(Section own, Section top) {
        Section from = ServerBuilder.ownsAccessRules(own) ? own : top;
        record Line(String key, Setting setting) {}
        List<Line> lines = new ArrayList<>();
        from.settings(Directive.ALLOW).forEach(s -> lines.add(new Line("allow", s)));
        from.settings(Directive.DENY).forEach(s -> lines.add(new Line("deny", s)));
        if (lines.isEmpty()) {
            return List.of(new Entry("allow = (none: every client)", "default"));
        }
        lines.sort(Comparator.comparingInt(l -> l.setting().where().line()));
        return lines.stream().map(l -> new Entry(l.key() + " = " + shown(null, l.setting().value()),
                l.setting().where().toString())).toList();
    }

    /** A default in the form the file takes it, or what an unset key means. */
    private static String unset(Directive<?> d) {
        if (d.defaultValue() != null) {
            return shown(d.parsedDefault().orElseThrow(), d.defaultValue());
        }
        return switch (d.name()) {
            case "proxy_ssl_trusted_certificate" -> "(the JDK's default CAs)";
            case "proxy_ssl_name" -> "(the chosen server's host)";
            case "limit_conn", "limit_conn_per_addr" -> "(none: no limit)";
            case "admin_listen" -> "off"; // as SPEC §10 and the README's table write it, and as it may be written
            default -> "(none)";
        };
    }

    /** The value as written, except where a path was resolved against the configuration's directory. */
    private static String shown(Object parsed, String written) {
        String text = switch (parsed) {
            case Path path -> path.toString();
            case ErrorLogConfig log -> log.file().map(Path::toString).orElse("stderr") + " " + log.level().nginxName();
            case AccessLogConfig log -> !log.enabled() ? "off"
                    : log.file().map(Path::toString).orElse("stdout") + " " + log.formatName();
            case null, default -> written.strip();
        };
        return Printable.escape(text);
    }

    private static void aligned(List<Entry> entries, String indent, List<String> out) {
        for (Entry e : entries) {
            String setting = indent + e.setting();
            out.add(setting + " ".repeat(Math.max(3, COLUMN - setting.length())) + "# " + Printable.escape(e.origin()));
        }
    }
}
