package loomproxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a configuration file (SPEC §2, §3) into a {@link ProxyConfig}. Every problem in the file is
 * collected and reported together; nothing is returned unless the whole file is valid.
 */
public final class ConfigLoader {
    static final int MAX_FILE = 16 << 20;

    private final Path file;
    private final Path dir;
    private final Problems problems;
    private final Section top;
    private final Map<String, Section> servers = new LinkedHashMap<>();
    private final Map<String, Section> upstreams = new LinkedHashMap<>();
    private final Map<String, Section> formats = new LinkedHashMap<>();

    private ConfigLoader(Path file, Problems problems) {
        this.file = file;
        this.problems = problems;
        Path parent = file.toAbsolutePath().getParent();
        this.dir = parent != null ? parent : file.toAbsolutePath();
        this.top = new Section(dir, problems);
    }

    /** The validated configuration, or a {@link ConfigException} listing every problem as {@code FILE:LINE: KEY: message}. */
    public static ProxyConfig load(Path file) throws ConfigException {
        Problems problems = new Problems();
        Loaded loaded = load(file, problems);
        problems.throwIfAny();
        return loaded.config();
    }

    /**
     * Reads the file as far as it is valid, adding every problem and warning to {@code problems};
     * throws only when the file itself cannot be read. What the result holds when there are errors:
     * {@link Loaded}.
     */
    public static Loaded load(Path file, Problems problems) throws ConfigException {
        return new ConfigLoader(file, problems).load(read(file));
    }

    private Loaded load(String text) {
        for (Setting s : new PropertiesReader(file, problems).read(text)) {
            Keys.classify(s, problems).ifPresent(this::add);
        }
        Groups groups = new Groups(problems);
        upstreams.forEach(groups::declare);
        List<ServerConfig> built = new ArrayList<>();
        List<ServerTls> tls = new ArrayList<>();
        Set<String> complete = new HashSet<>();
        servers.forEach((name, block) -> {
            if (block.has(Directive.LISTEN) && block.has(Directive.PROXY_PASS)) {
                complete.add(name);
            }
        });
        servers.forEach((name, block) -> {
            ServerBuilder builder = new ServerBuilder(name, block, top, problems, complete);
            builder.build(groups).ifPresent(built::add);
            builder.checkableTls().ifPresent(tls::add);
            builder.warnTlsKeysWithoutTls();
        });
        // Bound beyond loopback with the default admin_allow (loopback only), every other host that
        // connects gets 403: said once, since it is either a mistake or a missing admin_allow.
        top.setting(Directive.ADMIN_LISTEN).filter(set -> top.setting(Directive.ADMIN_ALLOW).isEmpty())
                .ifPresent(set -> adminListen()
                .filter(address -> !loopback(address.host()))
                .ifPresent(address -> problems.warn(set.where(), "admin_listen", address
                        + " is reachable from other hosts, but admin_allow (default 127.0.0.1, ::1) refuses them: list"
                        + " who may read it (your Prometheus) in admin_allow, or bind 127.0.0.1:" + address.port())));

        if (servers.isEmpty()) {
            problems.add(Problem.ofFile(file, "no server block; add server.NAME.listen and server.NAME.proxy_pass"));
        }
        ListenCheck.distinct(built, problems);
        ErrorLogConfig errorLog = topValue(Directive.ERROR_LOG);
        AccessLogConfig accessLog = accessLog();
        Duration shutdownTimeout = topValue(Directive.SHUTDOWN_TIMEOUT);
        Duration tlsReloadInterval = topValue(Directive.TLS_RELOAD_INTERVAL);
        AdminConfig admin = new AdminConfig(adminListen(), topValue(Directive.ADMIN_ALLOW));
        ProxyConfig config = new ProxyConfig(file, groups.all(), List.copyOf(built), errorLog, accessLog,
                shutdownTimeout, tlsReloadInterval, top.sources(new Location(file, 0)), admin,
                topValue(Directive.RESOLVER_VALID));
        List<String> dump = problems.isEmpty() ? new Dump(file, top, servers, upstreams, formats).lines() : List.of();
        return new Loaded(config, List.copyOf(tls), dump);
    }

    private void add(Key key) {
        switch (key) {
            case Key.Top t -> top.add(t.directive(), t.setting());
            case Key.Server s -> sectionOf(servers, s.block()).add(s.directive(), s.setting());
            case Key.Named n when n.directive() == Directive.UPSTREAM -> sectionOf(upstreams, n.name()).add(n.directive(), n.setting());
            case Key.Named n when n.directive() == Directive.LOG_FORMAT -> logFormat(n);
            // upstream.NAME.KEY: Keys lets only supported keys through, and this version supports none yet.
            case Key.Named n -> throw new IllegalStateException("no handler for " + n.setting().key());
        }
    }

    private void logFormat(Key.Named n) {
        // NGINX refuses to redefine a predefined format ("duplicate log_format name").
        if (n.name().equals(Logs.MAIN)) {
            problems.add(n.setting().where(), n.setting().key(), "\"main\" is the built-in format; choose another name");
            return;
        }
        sectionOf(formats, n.name()).add(n.directive(), n.setting());
    }

    private Section sectionOf(Map<String, Section> sections, String name) {
        return sections.computeIfAbsent(name, k -> new Section(dir, problems));
    }

    /** The admin endpoint's address; empty when unset, off, or invalid (reported). */
    private Optional<HostPort> adminListen() {
        return top.value(Directive.ADMIN_LISTEN).flatMap(listen -> listen);
    }

    private <T> T topValue(Directive<T> d) {
        return top.value(d).or(d::parsedDefault).orElseThrow();
    }

    /** The access log with its format text; a format that is not defined is an error at the access_log line. */
    private AccessLogConfig accessLog() {
        AccessLogConfig log = topValue(Directive.ACCESS_LOG);
        if (!log.enabled() || log.formatName().equals(Logs.MAIN)) {
            return new AccessLogConfig(log.enabled(), log.file(), Logs.MAIN, Logs.MAIN_FORMAT);
        }
        Section format = formats.get(log.formatName());
        if (format == null) {
            Setting s = top.setting(Directive.ACCESS_LOG).orElseThrow();
            problems.add(s.where(), s.key(), "unknown log format \"" + log.formatName()
                    + "\"; define log_format." + log.formatName() + " = text or use main");
            return log;
        }
        return new AccessLogConfig(true, log.file(), log.formatName(), format.value(Directive.LOG_FORMAT).orElse(""));
    }

    /**
     * At most {@link #MAX_FILE} bytes are read: a configuration is a few kilobytes, and a path given
     * by mistake (a log file, a disk image, {@code /dev/zero}) must end in an error, not in an
     * OutOfMemoryError after reading gigabytes (or, from {@code /dev/zero}, never).
     */
    private static String read(Path file) throws ConfigException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE + 1);
        } catch (IOException e) {
            throw fileProblem(file, "cannot read the configuration file: " + reason(e));
        }
        if (bytes.length > MAX_FILE) {
            throw fileProblem(file, "cannot read the configuration file: it is larger than "
                    + Values.formatSize(MAX_FILE) + "; is it the configuration file?");
        }
        return decode(bytes, file);
    }

    /** The OS's reason, as NGINX prints strerror(): the JDK's message for these is only the path. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return String.valueOf(e.getMessage());
    }

    /**
     * UTF-8, strictly: a byte that is not UTF-8 is reported with its line rather than turned into U+FFFD
     * inside a path or a name. A leading byte-order mark (some Windows editors write one) is dropped, or
     * it would become part of the first key.
     */
    private static String decode(byte[] bytes, Path file) throws ConfigException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new ConfigException(List.of(new Problem(new Location(file, lineAt(bytes, in.position())), "config",
                    "not valid UTF-8; save the file as UTF-8")));
        }
        decoder.flush(out);
        String text = out.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            line += bytes[i] == '\n' ? 1 : 0;
        }
        return line;
    }

    private static ConfigException fileProblem(Path file, String message) {
        return new ConfigException(List.of(Problem.ofFile(file, message)));
    }

    /** A loopback literal (127.0.0.0/8, ::1, localhost): an admin endpoint there is this host's only. */
    private static boolean loopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }
}
