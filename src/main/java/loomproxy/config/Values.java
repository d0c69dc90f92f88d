package loomproxy.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for NGINX's scalar value forms; each failure names the value and the expected form. */
final class Values {
    /** Protocol names NGINX accepts for {@code proxy_ssl_protocols}; whether the JDK allows them is the TLS layer's call. */
    static final List<String> PROTOCOLS = List.of("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private static final Pattern TIME_PART = Pattern.compile("(\\d+)(ms|[wdhms]?) *");
    private static final List<String> TIME_UNITS = List.of("w", "d", "h", "m", "s", "ms");
    private static final long[] TIME_UNIT_MS = {604_800_000L, 86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kKmMgG]?)");

    private Values() {}

    /** {@code on} or {@code off}, case-insensitive as NGINX's ngx_conf_set_flag_slot. */
    static boolean flag(String v) throws InvalidValueException {
        if (v.equalsIgnoreCase("on")) {
            return true;
        }
        if (v.equalsIgnoreCase("off")) {
            return false;
        }
        throw new InvalidValueException("invalid value \"" + v + "\", it must be \"on\" or \"off\"");
    }

    /** {@code proxy_protocol}: {@code on}/{@code off} as a flag, plus {@code v1} and {@code v2} (SPEC §9); {@code on} is v1. */
    static ProxyProtocol proxyProtocol(String v) throws InvalidValueException {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "v1" -> ProxyProtocol.V1;
            case "v2" -> ProxyProtocol.V2;
            case "off" -> ProxyProtocol.OFF;
            default -> throw new InvalidValueException("invalid value \"" + v + "\", it must be \"on\", \"off\", \"v1\" or \"v2\"");
        };
    }

    /**
     * NGINX's limits, from ngx_parse_time: a msec directive's total must fit an int32 of milliseconds
     * (its timers are msec ints), a seconds one ({@code fail_timeout}) an int32 of seconds. Beyond
     * them {@link Duration#toNanos()} would also overflow at run time (about 292 years).
     */
    static final Duration MAX_MILLIS = Duration.ofMillis(Integer.MAX_VALUE);
    static final Duration MAX_SECONDS = Duration.ofSeconds(Integer.MAX_VALUE);

    /** A duration as ngx_parse_time: {@code 500ms 10s 5m 1h 1d 1w}, combinable largest first ({@code 1m30s}); bare = seconds. */
    static Duration duration(String v) throws InvalidValueException {
        return time(v, true);
    }

    /** A duration that must be above zero: the JDK reads a zero socket timeout as "wait forever". */
    static Duration positiveDuration(String v) throws InvalidValueException {
        Duration d = time(v, true);
        if (d.isZero()) {
            throw new InvalidValueException("invalid value \"" + v + "\", it must be greater than 0");
        }
        return d;
    }

    /** Whole seconds, as ngx_parse_time(value, is_sec=1) for {@code fail_timeout}: {@code ms} is refused. */
    static Duration seconds(String v) throws InvalidValueException {
        return time(v, false);
    }

    private static Duration time(String v, boolean millis) throws InvalidValueException {
        Matcher m = TIME_PART.matcher(v);
        long total = 0;
        int lastUnit = -1;
        int pos = 0;
        while (pos < v.length() || pos == 0) {
            if (!m.region(pos, v.length()).lookingAt()) {
                throw badTime(v, millis);
            }
            int unit = m.group(2).isEmpty() ? TIME_UNITS.indexOf("s") : TIME_UNITS.indexOf(m.group(2));
            boolean bareNotLast = m.group(2).isEmpty() && m.end() < v.length();
            if (unit <= lastUnit || bareNotLast || (!millis && m.group(2).equals("ms"))) {
                throw badTime(v, millis);
            }
            total = addTime(total, m.group(1), TIME_UNIT_MS[unit]);
            lastUnit = unit;
            pos = m.end();
        }
        Duration max = millis ? MAX_MILLIS : MAX_SECONDS;
        if (total < 0 || total > max.toMillis()) {
            throw new InvalidValueException("invalid value \"" + v + "\", it must be at most " + format(max));
        }
        return Duration.ofMillis(total);
    }

    /** The sum so far plus one part; -1 once it no longer fits a long (it is then over every limit). */
    private static long addTime(long total, String digits, long scale) {
        try {
            return total < 0 ? -1 : Math.addExact(total, Math.multiplyExact(Long.parseLong(digits), scale));
        } catch (ArithmeticException | NumberFormatException e) {
            return -1;
        }
    }

    /** A duration in the file's own form, largest unit first, days at most: {@code 24d20h31m23s647ms}. */
    static String format(Duration d) {
        StringBuilder out = new StringBuilder();
        long rest = d.toMillis();
        for (int unit = TIME_UNITS.indexOf("d"); unit < TIME_UNITS.size(); unit++) {
            long n = rest / TIME_UNIT_MS[unit];
            rest -= n * TIME_UNIT_MS[unit];
            if (n > 0) {
                out.append(n).append(TIME_UNITS.get(unit));
            }
        }
        return out.isEmpty() ? "0" : out.toString();
    }

    private static InvalidValueException badTime(String v, boolean millis) {
        String forms = millis ? "500ms, 10s, 5m, 1h, 1d or 1m30s; a bare number is seconds"
                              : "10, 10s, 5m or 1h; whole seconds, no ms";
        return new InvalidValueException("invalid time \"" + v + "\", use a form such as " + forms);
    }

    /**
     * {@code proxy_buffer_size}: each session takes one such array per direction while data flows
     * (NGINX accepts any size). A read never returns more than the socket's receive buffer holds
     * (Linux's tcp_rmem maximum is 6 MiB by default; over TLS one record, 16 KiB), so beyond 64m a
     * larger buffer only costs heap, two of them per busy session.
     */
    static final int MAX_BUFFER_SIZE = 64 << 20;
    /**
     * {@code proxy_upload_rate}/{@code proxy_download_rate}: the pacing keeps {@code rate * 10^9} in
     * a long (nanoseconds per second times the rate), exact up to 9,223,372,036 bytes/s; 8g (8 GiB/s,
     * 68 Gbit/s for one connection) is the round size below that, and 0 still means unlimited.
     */
    static final long MAX_RATE = 8L << 30;

    /** A size as ngx_parse_size: bytes, or with {@code k}/{@code m}/{@code g} (powers of 1024), at most {@code max}. */
    static long size(String v, long max) throws InvalidValueException {
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new InvalidValueException("invalid size \"" + v + "\", use a form such as 512, 16k or 1m");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long n;
        try {
            n = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
        } catch (ArithmeticException | NumberFormatException e) {
            n = -1; // more than a long holds, so more than any limit
        }
        if (n < 0 || n > max) {
            throw new InvalidValueException("invalid value \"" + v + "\", it must be at most " + formatSize(max));
        }
        return n;
    }

    /** Bytes per second, 0 = unlimited. */
    static long rate(String v) throws InvalidValueException {
        return size(v, MAX_RATE);
    }

    /** A buffer size: above zero and at most {@link #MAX_BUFFER_SIZE}. */
    static int bufferSize(String v) throws InvalidValueException {
        long n = size(v, MAX_BUFFER_SIZE);
        if (n < 1) {
            throw new InvalidValueException("invalid value \"" + v + "\", it must be between 1 and "
                    + formatSize(MAX_BUFFER_SIZE));
        }
        return (int) n;
    }

    /** A size in the largest unit that writes it exactly: {@code 8g}, {@code 64m}, {@code 1500}. */
    static String formatSize(long bytes) {
        String[] units = {"g", "m", "k"};
        for (int i = 0; i < units.length; i++) {
            int shift = 30 - 10 * i;
            if (bytes != 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + units[i];
            }
        }
        return Long.toString(bytes);
    }

    /**
     * A whole number from {@code min} to {@link Integer#MAX_VALUE}: NGINX's ngx_atoi limit on 32-bit
     * builds, and the width of every field these numbers go to (socket backlog, counters, weights).
     */
    static int number(String v, int min) throws InvalidValueException {
        if (!v.matches("\\d+")) {
            throw new InvalidValueException("invalid number \"" + v + "\", a whole number >= " + min + " is expected");
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InvalidValueException("invalid number \"" + v + "\", it must be at most " + Integer.MAX_VALUE);
        }
        if (n < min) {
            throw new InvalidValueException("invalid number \"" + v + "\", a whole number >= " + min + " is expected");
        }
        return n;
    }

    static int port(String v, String in) throws InvalidValueException {
        int port = v.matches("\\d{1,5}") ? Integer.parseInt(v) : 0;
        if (port < 1 || port > 65535) {
            throw new InvalidValueException("invalid port \"" + v + "\" in \"" + in + "\", it must be 1..65535");
        }
        return port;
    }

    /** {@code host:port} or {@code [IPv6]:port}; the host is kept as written, brackets removed. */
    static HostPort hostPort(String v) throws InvalidValueException {
        refuseUnixSocket(v, "host:port");
        int colon = v.lastIndexOf(':');
        if (colon < 0 || (v.startsWith("[") && colon < v.indexOf(']'))) {
            throw new InvalidValueException("no port in \"" + v + "\", write host:port or [IPv6]:port");
        }
        return new HostPort(host(v.substring(0, colon), v), port(v.substring(colon + 1), v));
    }

    /** NGINX's {@code unix:/path}: the JDK's blocking sockets here are TCP only, so say that instead of "invalid port". */
    static void refuseUnixSocket(String v, String form) throws InvalidValueException {
        if (v.regionMatches(true, 0, "unix:", 0, 5)) {
            throw new InvalidValueException("unix-domain sockets such as \"" + v + "\" are not supported; use " + form);
        }
    }

    private static String host(String h, String whole) throws InvalidValueException {
        if (h.startsWith("[") && h.endsWith("]") && h.length() > 2) {
            String v6 = h.substring(1, h.length() - 1);
            if (ipv6(v6)) {
                return v6;
            }
        } else if (h.contains(":")) {
            throw new InvalidValueException("invalid address \"" + whole + "\", an IPv6 address needs brackets: [::1]:port");
        } else if (h.matches("[A-Za-z0-9_.-]+")) {
            return h;
        }
        throw new InvalidValueException("invalid host \"" + h + "\" in \"" + whole + "\"");
    }

    /**
     * Hex digits, dots and at least one colon, then an optional {@code %zone}; checked piece by piece
     * because the one regular expression for it backtracked quadratically on a long run of colons.
     */
    private static boolean ipv6(String v6) {
        int zone = v6.indexOf('%');
        String address = zone < 0 ? v6 : v6.substring(0, zone);
        return address.indexOf(':') >= 0 && address.matches("[0-9A-Fa-f:.]+")
                && (zone < 0 || v6.substring(zone + 1).matches("[A-Za-z0-9_.-]+"));
    }

    /** Space-separated protocol names, matched case-insensitively as NGINX does, kept in canonical spelling. */
    static List<String> protocols(String v) throws InvalidValueException {
        List<String> out = new ArrayList<>();
        for (String word : words(v)) {
            String canonical = PROTOCOLS.stream().filter(p -> p.equalsIgnoreCase(word)).findFirst()
                    .orElseThrow(() -> new InvalidValueException("invalid value \"" + word
                            + "\", it must be one of " + String.join(" ", PROTOCOLS)));
            if (!out.contains(canonical)) {
                out.add(canonical);
            }
        }
        return List.copyOf(out);
    }

    /** One token without blanks (a name, a cipher string, a path). */
    static String word(String v) throws InvalidValueException {
        if (words(v).size() != 1) {
            throw new InvalidValueException("invalid value \"" + v + "\", one word without spaces is expected");
        }
        return v;
    }

    /** A literal host name: NGINX allows variables in proxy_ssl_name, this version does not. */
    static String name(String v) throws InvalidValueException {
        if (word(v).contains("$")) {
            throw new InvalidValueException("invalid value \"" + v + "\", variables are not supported by this"
                    + " version of loomproxy; write the name itself");
        }
        return v;
    }

    static Path path(String v, Path dir) throws InvalidValueException {
        try {
            return dir.resolve(v);
        } catch (InvalidPathException e) {
            throw new InvalidValueException("invalid path \"" + v + "\": " + e.getReason());
        }
    }

    static List<String> words(String v) {
        return v.isBlank() ? List.of() : List.of(v.strip().split("\\s+"));
    }
}
