package loomproxy.tls;

import static java.util.Map.entry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import loomproxy.config.Printable;

/**
 * {@code proxy_ssl_conf_command} values ("Ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256",
 * "Groups X25519:P-256"), read the way OpenSSL's SSL_CONF_cmd reads them for NGINX: command names
 * case-insensitive (NGINX passes SSL_CONF_FLAG_FILE), values ':'-separated with blanks trimmed, and a
 * later command replacing an earlier one.
 */
final class SslConfCommands {
    /** OpenSSL group names (NIST, SEC 2 and X9.62 spellings) → JSSE named-group names. */
    private static final Map<String, String> GROUPS = Map.ofEntries(
            entry("X25519", "x25519"), entry("x25519", "x25519"), entry("X448", "x448"), entry("x448", "x448"),
            entry("P-256", "secp256r1"), entry("prime256v1", "secp256r1"), entry("secp256r1", "secp256r1"),
            entry("P-384", "secp384r1"), entry("secp384r1", "secp384r1"),
            entry("P-521", "secp521r1"), entry("secp521r1", "secp521r1"),
            entry("ffdhe2048", "ffdhe2048"), entry("ffdhe3072", "ffdhe3072"), entry("ffdhe4096", "ffdhe4096"),
            entry("ffdhe6144", "ffdhe6144"), entry("ffdhe8192", "ffdhe8192"));

    private static final String GROUP_NAMES =
            "X25519, X448, P-256 (prime256v1, secp256r1), P-384 (secp384r1), P-521 (secp521r1), ffdhe2048 ... ffdhe8192";

    /** OpenSSL commands that have a loomproxy directive of their own. */
    private static final Map<String, String> ELSEWHERE = Map.of(
            "minprotocol", "proxy_ssl_protocols", "maxprotocol", "proxy_ssl_protocols", "protocol", "proxy_ssl_protocols",
            "cipherstring", "proxy_ssl_ciphers", "certificate", "proxy_ssl_certificate",
            "privatekey", "proxy_ssl_certificate_key");

    /** What the commands set; empty where no command said anything. */
    record Parsed(Optional<List<String>> tls13Suites, Optional<List<String>> namedGroups) {}

    /** No command given: the JDK's defaults. */
    static final Parsed NONE = new Parsed(Optional.empty(), Optional.empty());

    private SslConfCommands() {}

    /**
     * Parses each {@code proxy_ssl_conf_command} value in order. {@code availableSuites} is the JDK's
     * supported suites; the TLS 1.3 suites named must be among them.
     */
    static Parsed parse(List<String> commands, Collection<String> availableSuites) throws TlsConfigException {
        Parsed parsed = NONE;
        for (String command : commands) {
            parsed = apply(parsed, command, availableSuites);
        }
        return parsed;
    }

    /**
     * What {@code before} (the earlier commands) becomes with one more command: each command is
     * checked alone, so the caller can report every bad one at its own line.
     */
    static Parsed apply(Parsed before, String command, Collection<String> availableSuites) throws TlsConfigException {
        if (command.isBlank()) {
            throw new TlsConfigException("proxy_ssl_conf_command is empty; write a command and its value,"
                    + " e.g. \"Ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256\"");
        }
        String[] nameAndValue = command.strip().split("\\s+", 2);
        String value = nameAndValue.length > 1 ? nameAndValue[1] : "";
        return switch (nameAndValue[0].toLowerCase(Locale.ROOT)) {
            case "ciphersuites" -> new Parsed(Optional.of(tls13Suites(command, value, availableSuites)), before.namedGroups());
            case "groups", "curves" -> new Parsed(before.tls13Suites(), Optional.of(namedGroups(command, value)));
            default -> throw unknownCommand(command, nameAndValue[0]);
        };
    }

    /**
     * SSL_CTX_set_ciphersuites: TLS 1.3 IANA names, empty items skipped, an empty list allowed (it turns
     * the TLS 1.3 suites off, as in OpenSSL).
     */
    private static List<String> tls13Suites(String command, String value, Collection<String> available)
            throws TlsConfigException {
        List<String> supported = available.stream().filter(SslConfCommands::isTls13Suite).toList();
        Set<String> suites = new LinkedHashSet<>();
        for (String item : items(value)) {
            if (!supported.contains(item)) {
                throw new TlsConfigException(quote(command) + ": " + Printable.escape(item) + (item.contains("_WITH_")
                        ? " is a TLS 1.2 suite; put it in proxy_ssl_ciphers"
                        : " is not a TLS 1.3 cipher suite this JDK supports") + "; use " + String.join(", ", supported));
            }
            suites.add(item);
        }
        return List.copyOf(suites);
    }

    /** SSL_CTX_set1_groups_list: every item a known group, none twice, none empty. */
    private static List<String> namedGroups(String command, String value) throws TlsConfigException {
        List<String> groups = new ArrayList<>();
        for (String item : value.split(":", -1)) {
            String jsse = GROUPS.get(item.strip());
            if (jsse == null) {
                String what = item.isBlank() ? "an empty group name" : "unknown group " + Printable.escape(item.strip());
                throw new TlsConfigException(quote(command) + ": " + what + "; use one or more of " + GROUP_NAMES
                        + ", separated by ':'");
            }
            if (groups.contains(jsse)) {
                throw new TlsConfigException(quote(command) + ": group " + item.strip() + " is listed twice");
            }
            groups.add(jsse);
        }
        return List.copyOf(groups);
    }

    private static TlsConfigException unknownCommand(String command, String name) {
        String directive = ELSEWHERE.get(name.toLowerCase(Locale.ROOT));
        if (directive != null) {
            return new TlsConfigException(quote(command) + ": set this with " + directive + " instead");
        }
        return new TlsConfigException(quote(command) + ": unsupported command " + Printable.escape(name)
                + "; loomproxy supports Ciphersuites, Groups and Curves (an alias of Groups)");
    }

    /** TLS 1.3 suite names are the JSSE/IANA names without a key exchange ("_WITH_"), RFC 8446 B.4. */
    private static boolean isTls13Suite(String name) {
        return name.startsWith("TLS_") && !name.contains("_WITH_") && !name.endsWith("_SCSV");
    }

    private static List<String> items(String value) {
        return Arrays.stream(value.split(":")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String quote(String command) {
        return "proxy_ssl_conf_command " + TlsConfigException.quote(command.strip());
    }
}
