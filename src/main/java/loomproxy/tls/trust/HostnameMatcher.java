package loomproxy.tls.trust;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Does a certificate name the host we meant to reach? RFC 6125 §6 for DNS names, RFC 5280
 * iPAddress SANs for IP literals (SPEC §4, §8). Never resolves anything.
 */
final class HostnameMatcher {
    /** GeneralName tags, RFC 5280 §4.2.1.6. */
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** Only text of this shape reaches InetAddress, whose literal parser then never falls back to DNS. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private HostnameMatcher() {}

    static boolean matches(String name, X509Certificate cert) {
        // A trailing dot is an absolute DNS name; certificates never carry one (SPEC §4).
        if (name.isEmpty() || name.endsWith(".")) {
            return false;
        }
        Optional<byte[]> ip = ipLiteral(name);
        List<List<?>> sans = subjectAltNames(cert);
        if (ip.isPresent()) {
            return valuesOf(sans, IP_ADDRESS).stream()
                    .anyMatch(value -> ipLiteral(value).filter(b -> Arrays.equals(b, ip.get())).isPresent());
        }
        // RFC 6125 §6.4.4: the subject CN is a last resort, only for certificates without any SAN.
        List<String> presented = sans.isEmpty() ? commonNames(cert) : valuesOf(sans, DNS_NAME);
        return presented.stream().anyMatch(pattern -> dnsMatches(pattern, name));
    }

    /** What {@link #matches} compares against, for the log: {@code DNS:x}, {@code IP:1.2.3.4}, {@code CN:x}. */
    static List<String> namesOf(X509Certificate cert) {
        List<List<?>> sans = subjectAltNames(cert);
        if (sans.isEmpty()) {
            return commonNames(cert).stream().map(cn -> "CN:" + cn).toList();
        }
        List<String> names = new ArrayList<>();
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            if (type == DNS_NAME || type == IP_ADDRESS) {
                names.add((type == DNS_NAME ? "DNS:" : "IP:") + san.get(1));
            }
        }
        return names;
    }

    /**
     * RFC 6125 §6.4.3 as the CA/Browser Forum narrows it: a wildcard only as the entire left-most
     * label, standing for exactly one non-empty label, with at least two labels after it.
     */
    static boolean dnsMatches(String pattern, String name) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String n = name.toLowerCase(Locale.ROOT);
        if (p.endsWith(".") || n.indexOf('*') >= 0) {
            return false;
        }
        if (!p.startsWith("*.")) {
            return p.indexOf('*') < 0 && p.equals(n);
        }
        String suffix = p.substring(1);
        boolean wellFormed = suffix.indexOf('*') < 0 && !suffix.contains("..")
                && suffix.chars().filter(c -> c == '.').count() >= 2;
        int firstDot = n.indexOf('.');
        return wellFormed && firstDot > 0 && n.substring(firstDot).equals(suffix);
    }

    /** The address bytes of an IPv4 or IPv6 literal (brackets allowed), or empty for a host name. */
    static Optional<byte[]> ipLiteral(String text) {
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        var v4 = IPV4.matcher(s);
        if (v4.matches()) {
            return ipv4(v4);
        }
        if (!IPV6.matcher(s).matches()) {
            return Optional.empty();
        }
        try {
            // Starts with a hex digit or ':' and contains ':': InetAddress parses it as an IPv6
            // literal or throws; it does not look it up (JDK InetAddress.getAllByName).
            return Optional.of(InetAddress.getByName(s).getAddress());
        } catch (UnknownHostException notAnAddress) {
            return Optional.empty();
        }
    }

    /** Dotted decimal only, as OpenSSL's a2i_ipadd reads it; no inet_aton forms such as "10.1". */
    private static Optional<byte[]> ipv4(Matcher octets) {
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(octets.group(i + 1));
            if (octet > 255) {
                return Optional.empty();
            }
            bytes[i] = (byte) octet;
        }
        return Optional.of(bytes);
    }

    /** The SAN entries, or empty when the certificate has none (or none that parse: then nothing can match). */
    private static List<List<?>> subjectAltNames(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            return sans == null ? List.of() : List.copyOf(sans);
        } catch (CertificateParsingException malformed) {
            // An unparseable SAN extension must not fall back to the CN: present one impossible name.
            return List.of(List.of(DNS_NAME, "(unparseable subjectAltName)"));
        }
    }

    private static List<String> valuesOf(List<List<?>> sans, int type) {
        return sans.stream().filter(san -> (Integer) san.get(0) == type).map(san -> (String) san.get(1)).toList();
    }

    private static List<String> commonNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        for (Rdn rdn : ldapName(cert.getSubjectX500Principal()).getRdns()) {
            Attribute cn = rdn.toAttributes().get("CN");
            if (cn != null) {
                addStrings(cn, names);
            }
        }
        return names;
    }

    private static void addStrings(Attribute attribute, List<String> into) {
        try {
            for (int i = 0; i < attribute.size(); i++) {
                // Non-string values (RFC 2253 "#hex" for unusual ASN.1 types) are not host names.
                if (attribute.get(i) instanceof String s) {
                    into.add(s);
                }
            }
        } catch (NamingException e) {
            throw new IllegalStateException("in-memory LDAP attribute failed: " + e.getMessage(), e);
        }
    }

    private static LdapName ldapName(X500Principal principal) {
        try {
            return new LdapName(principal.getName(X500Principal.RFC2253));
        } catch (InvalidNameException e) {
            throw new IllegalStateException("the JDK produced an RFC 2253 name it cannot parse: " + principal, e);
        }
    }
}
