package loomproxy.tls;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import loomproxy.config.Printable;
import loomproxy.tls.CipherSuite.Au;
import loomproxy.tls.CipherSuite.Enc;
import loomproxy.tls.CipherSuite.Kx;
import loomproxy.tls.CipherSuite.Mac;
import loomproxy.tls.CipherSuite.Pattern;
import loomproxy.tls.CipherSuite.Since;

/**
 * OpenSSL cipher strings ({@code proxy_ssl_ciphers}) evaluated the way OpenSSL 3.0's
 * {@code ssl_create_cipher_list} does (ssl/ssl_ciph.c), over {@link CipherSuite}'s table, so a string
 * selects the suites NGINX would offer, in NGINX's order, limited to those the JDK supports.
 *
 * <p>OpenSSL behaviours kept on purpose, all checked against {@code openssl ciphers} in the tests:
 * <ul>
 * <li>DEFAULT is a keyword only at the very start of the string ("kRSA:DEFAULT" ignores it).
 * <li>Unknown words are skipped silently (old configurations name EXPORT, RC4, kECDH ...); only a string
 *     that ends up selecting nothing is an error.
 * <li>A '+' combination that excludes itself ("kRSA+kECDHE") is skipped as a whole.
 * <li>A character outside names and separators right after a known word is an error ("ECDHE_RSA"),
 *     while after an unknown word OpenSSL skips to the next separator ("TLS_FOO").
 * <li>'!' removes for good, '-' removes but lets a later rule add back, '+' moves to the end only
 *     what is already selected, so "-ALL:+AES256" selects nothing.
 * </ul>
 * As an extension, JSSE/IANA suite names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) are accepted wherever
 * an OpenSSL suite name is; OpenSSL 3.0 ignores them.
 */
final class CipherStrings {
    /** OpenSSL 3.0's OSSL_default_cipher_list(), what DEFAULT expands to. */
    private static final String DEFAULT_LIST = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

    private static final Pattern ANY = Pattern.ANY;

    private CipherStrings() {}

    /**
     * The JSSE names of the TLS 1.2-and-older suites {@code cipherString} selects, in OpenSSL's order,
     * limited to {@code available} (the JDK's supported suites).
     */
    static List<String> select(String cipherString, Collection<String> available) throws TlsConfigException {
        rejectSuiteB(cipherString);
        Ordering ordering = new Ordering();
        String rules = cipherString;
        int offset = 0;
        if (rules.startsWith("DEFAULT")) {
            new RuleReader(DEFAULT_LIST, cipherString, 0, ordering).run();
            offset = rules.startsWith("DEFAULT:") ? 8 : 7;
            rules = rules.substring(offset);
        }
        new RuleReader(rules, cipherString, offset, ordering).run();
        List<CipherSuite> chosen = ordering.selected();
        List<String> usable = chosen.stream().map(Enum::name).filter(available::contains).toList();
        if (usable.isEmpty()) {
            throw nothingUsable(cipherString, chosen);
        }
        return usable;
    }

    /**
     * OpenSSL's name for a suite ({@code ECDHE-RSA-AES128-GCM-SHA256}), which is what NGINX logs as
     * {@code $upstream_ssl_cipher}; TLS 1.3 suites and unknown names are returned as given.
     */
    static String opensslName(String jsseSuite) {
        return CipherSuite.byStandardName(jsseSuite).map(s -> s.openssl).orElse(jsseSuite);
    }

    /** "cipher string \"HIGH:!aNULL\"", for every message: the string with its control characters escaped. */
    private static String named(String cipherString) {
        return "cipher string " + TlsConfigException.quote(cipherString);
    }

    /** Suite B prefixes (RFC 6460) also restrict curves and signatures, which a suite list cannot express. */
    private static void rejectSuiteB(String cipherString) throws TlsConfigException {
        if (cipherString.startsWith("SUITEB")) {
            throw new TlsConfigException(named(cipherString) + ": Suite B modes are not supported;"
                    + " list the suites instead, e.g. \"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384\"");
        }
    }

    private static TlsConfigException nothingUsable(String cipherString, List<CipherSuite> chosen) {
        if (chosen.isEmpty()) {
            return new TlsConfigException(named(cipherString)
                    + " selects no cipher suite; use e.g. \"HIGH:!aNULL:!MD5\" (`openssl ciphers -v STRING` shows a selection)");
        }
        String some = chosen.stream().limit(3).map(s -> s.openssl).collect(Collectors.joining(", "))
                + (chosen.size() > 3 ? ", ..." : "");
        return new TlsConfigException(named(cipherString) + " selects only suites this JDK does not enable ("
                + some + "); choose others, e.g. \"HIGH:!aNULL:!MD5\", or see jdk.tls.disabledAlgorithms in java.security");
    }

    /** The four list operations of ssl_cipher_apply_rule, plus the internal "bump to the front". */
    private enum Rule { ADD, KILL, DEL, ORD, BUMP }

    /**
     * OpenSSL's linked cipher order: every suite in preference order, each active (selected) or not.
     * All operations are stable, so suites keep their relative order unless a rule tells them apart.
     */
    private static final class Ordering {
        private final List<CipherSuite> order = new ArrayList<>(List.of(CipherSuite.values()));
        private final Set<CipherSuite> active = EnumSet.noneOf(CipherSuite.class);

        Ordering() {
            // Everything else being equal, prefer ephemeral ECDH, and ECDSA over RSA.
            apply(Rule.ADD, ANY.kx(Kx.ECDHE).au(Au.ECDSA));
            apply(Rule.ADD, ANY.kx(Kx.ECDHE));
            apply(Rule.DEL, ANY.kx(Kx.ECDHE));
            // Within each strength class GCM before CHACHA20, then AES-CBC (and AES-CCM, which the JDK lacks).
            apply(Rule.ADD, ANY.enc(Enc.AES128GCM, Enc.AES256GCM));
            apply(Rule.ADD, ANY.enc(Enc.CHACHA20POLY1305));
            apply(Rule.ADD, ANY.enc(Enc.AES128, Enc.AES256));
            apply(Rule.ADD, ANY);
            // MD5, anonymous and RSA key exchange last; OpenSSL also moves kPSK and RC4 here, which the table lacks.
            apply(Rule.ORD, ANY.mac(Mac.MD5));
            apply(Rule.ORD, ANY.au(Au.NULL));
            apply(Rule.ORD, ANY.kx(Kx.RSA));
            strengthSort();
            // Then, whatever the strength: (EC)DHE+AEAD > (EC)DHE > AEAD > rest, TLS 1.2 suites first in each.
            apply(Rule.BUMP, ANY.since(Since.TLS1_2));
            apply(Rule.BUMP, ANY.mac(Mac.AEAD));
            apply(Rule.BUMP, ANY.kx(Kx.DHE, Kx.ECDHE));
            apply(Rule.BUMP, ANY.kx(Kx.DHE, Kx.ECDHE).mac(Mac.AEAD));
            apply(Rule.DEL, ANY);
        }

        void apply(Rule rule, Pattern pattern) {
            apply(rule, pattern::matches);
        }

        private void apply(Rule rule, Predicate<CipherSuite> matches) {
            List<CipherSuite> hits = order.stream().filter(matches)
                    .filter(s -> rule == Rule.KILL || active.contains(s) == (rule != Rule.ADD)).toList();
            order.removeAll(hits);
            switch (rule) {
                case ADD -> {
                    order.addAll(hits);
                    active.addAll(hits);
                }
                case ORD -> order.addAll(hits);
                // Most recently deleted suites get the best places for a later ADD (ssl_cipher_apply_rule).
                case DEL -> {
                    order.addAll(0, hits);
                    active.removeAll(hits);
                }
                case BUMP -> order.addAll(0, hits);
                case KILL -> active.removeAll(hits);
            }
        }

        /** @STRENGTH: stable sort of the selected suites by strength bits, strongest first. */
        void strengthSort() {
            active.stream().map(s -> s.enc.bits).distinct().sorted(Comparator.reverseOrder())
                    .forEach(bits -> apply(Rule.ORD, s -> s.enc.bits == bits));
        }

        List<CipherSuite> selected() {
            return order.stream().filter(active::contains).toList();
        }
    }

    /** ssl_cipher_process_rulestr: one pass over a rule string, applying each element in turn. */
    private static final class RuleReader {
        private final String text;
        private final String whole;
        private final int offset;
        private final Ordering ordering;
        private int pos;

        RuleReader(String text, String whole, int offset, Ordering ordering) {
            this.text = text;
            this.whole = whole;
            this.offset = offset;
            this.ordering = ordering;
        }

        void run() throws TlsConfigException {
            while (pos < text.length()) {
                char ch = text.charAt(pos);
                if (isSeparator(ch)) {
                    pos++;
                } else if (ch == '@') {
                    pos++;
                    command();
                } else {
                    Rule rule = switch (ch) {
                        case '!' -> Rule.KILL;
                        case '-' -> Rule.DEL;
                        case '+' -> Rule.ORD;
                        default -> Rule.ADD;
                    };
                    pos += rule == Rule.ADD ? 0 : 1;
                    if (!standardName(rule)) {
                        keywords(rule);
                    }
                }
            }
        }

        /** A whole element that is a JSSE/IANA suite name (our extension: OpenSSL has no '_' in names). */
        private boolean standardName(Rule rule) {
            int end = pos;
            while (end < text.length() && !isSeparator(text.charAt(end))) {
                end++;
            }
            String element = text.substring(pos, end);
            Optional<CipherSuite> suite = element.contains("_") ? CipherSuite.byStandardName(element) : Optional.empty();
            if (suite.isEmpty()) {
                return false;
            }
            ordering.apply(rule, Pattern.of(suite.get()));
            pos = end;
            return true;
        }

        /** Words joined by '+', each a keyword or an OpenSSL suite name, narrowing one another. */
        private void keywords(Rule rule) throws TlsConfigException {
            Optional<Pattern> combined = Optional.of(ANY);
            boolean more = true;
            while (combined.isPresent() && more) {
                String word = word();
                more = pos < text.length() && text.charAt(pos) == '+';
                pos += more ? 1 : 0;
                Optional<Pattern> meaning = Optional.ofNullable(CipherSuite.KEYWORDS.get(word))
                        .or(() -> CipherSuite.byOpensslName(word).map(Pattern::of));
                combined = meaning.flatMap(combined.get()::and);
            }
            if (combined.isPresent()) {
                ordering.apply(rule, combined.get());
            } else {
                skipToSeparator();
            }
        }

        /**
         * {@code @STRENGTH} or {@code @SECLEVEL=n}. The security level filters at handshake time in OpenSSL,
         * not the list; the JDK's jdk.tls.disabledAlgorithms plays that part here, so n is only checked.
         */
        private void command() throws TlsConfigException {
            String word = word();
            if (word.equals("STRENGTH")) {
                ordering.strengthSort();
            } else if (!word.matches("SECLEVEL=[0-5]")) {
                throw new TlsConfigException(named(whole) + ": unknown command @" + word
                        + "; OpenSSL knows @STRENGTH and @SECLEVEL=0 to 5");
            }
            skipToSeparator();
        }

        private String word() throws TlsConfigException {
            int start = pos;
            while (pos < text.length() && isWordChar(text.charAt(pos))) {
                pos++;
            }
            if (pos == start) {
                String found = pos < text.length()
                        ? "unexpected '" + Printable.escape(Character.toString(text.codePointAt(pos))) + "' at position "
                                + (offset + pos + 1)
                        : "'" + text.charAt(pos - 1) + "' at the end is not followed by a name";
                throw new TlsConfigException(named(whole) + ": " + found
                        + "; names are letters, digits, '-', '.' and '=', separated by ':'");
            }
            return text.substring(start, pos);
        }

        private void skipToSeparator() {
            while (pos < text.length() && !isSeparator(text.charAt(pos))) {
                pos++;
            }
        }

        private static boolean isSeparator(char c) {
            return c == ':' || c == ' ' || c == ';' || c == ',';
        }

        private static boolean isWordChar(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '=';
        }
    }
}
