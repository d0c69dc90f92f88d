package loomproxy.tls.trust;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
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
import loomproxy.tls.der.Der;

/**
 * Does a certificate name the host we meant to reach? RFC 6125 §6 for DNS names, RFC 5280
 * iPAddress SANs for IP literals (SPEC §4, §8). Never resolves anything.
 *
 * <p>The subjectAltNames are read from the extension's DER, not from the JDK's
 * {@code getSubjectAlternativeNames()}, whose view is lossy and mutable: it prints a 16-byte
 * IPv4-mapped address ({@code ::ffff:192.0.2.1}) as the IPv4 address, and the JDK's name
 * constraints check (sun.security.x509.NameConstraintsExtension#verify, run by PKIX for every
 * name-constrained CA) adds the subject CN to the certificate's parsed SANs, as a DNS name when
 * there is no DNS SAN or an IP address when there is no IP SAN, so that afterwards the CN would
 * match as if it were a SAN. The extension's encoded value is never rewritten.
 */
final class HostnameMatcher {
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    /** GeneralName tags as encoded, RFC 5280 §4.2.1.6: [2] dNSName and [7] iPAddress, both primitive. */
    private static final int DNS_NAME = 0x82;
    private static final int IP_ADDRESS = 0x87;
    private static final San UNPARSEABLE = new San(DNS_NAME, "(unparseable subjectAltName)".getBytes(StandardCharsets.US_ASCII));
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** Only text of this shape reaches InetAddress, whose literal parser then never falls back to DNS. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private HostnameMatcher() {}

    /** One subjectAltName entry: its tag and its raw value (IA5String bytes, or 4 or 16 address bytes). */
    private record San(int tag, byte[] value) {
        String text() {
            return new String(value, StandardCharsets.ISO_8859_1);
        }
    }

    static boolean matches(String name, X509Certificate cert) {
        // A trailing dot is an absolute DNS name; certificates never carry one (SPEC §4).
        if (name.isEmpty() || name.endsWith(".")) {
            return false;
        }
        Optional<byte[]> ip = ipLiteral(name);
        List<San> sans = subjectAltNames(cert);
        if (ip.isPresent()) {
            // Raw bytes, as OpenSSL's X509_check_ip: 4 never equals 16, so an IPv4-mapped IPv6 SAN
            // does not stand for the IPv4 address, nor an IPv4 SAN for the mapped name.
            return sans.stream().anyMatch(san -> san.tag() == IP_ADDRESS && Arrays.equals(san.value(), ip.get()));
        }
        List<String> presented = sans.isEmpty() ? lastCommonName(cert).stream().toList()
                : sans.stream().filter(san -> san.tag() == DNS_NAME).map(San::text).toList();
        return presented.stream().anyMatch(pattern -> dnsMatches(pattern, name));
    }

    /**
     * The CN that {@link #matches} falls back to, if any: RFC 6125 §6.4.4 consults the subject CN
     * only for a certificate without any SAN, and then only the last (most specific) one, the one
     * the JDK's name constraints check looks at (X500Name#findMostSpecificAttribute).
     */
    static Optional<String> commonNameInUse(X509Certificate cert) {
        return subjectAltNames(cert).isEmpty() ? lastCommonName(cert) : Optional.empty();
    }

    /** What {@link #matches} compares against, for the log: {@code DNS:x}, {@code IP:1.2.3.4}, {@code CN:x}. */
    static List<String> namesOf(X509Certificate cert) {
        List<San> sans = subjectAltNames(cert);
        if (sans.isEmpty()) {
            return lastCommonName(cert).stream().map(cn -> "CN:" + cn).toList();
        }
        List<String> names = new ArrayList<>();
        for (San san : sans) {
            if (san.tag() == DNS_NAME) {
                names.add("DNS:" + san.text());
            } else if (san.tag() == IP_ADDRESS) {
                names.add("IP:" + (san.value().length == 4 || san.value().length == 16 ? CertText.ip(san.value())
                        : "(" + san.value().length + " bytes)"));
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
            byte[] address = InetAddress.getByName(s).getAddress();
            // InetAddress turns an IPv4-mapped literal (::ffff:192.0.2.1) into IPv4; the name is
            // IPv6 and stays 16 bytes, as OpenSSL's a2i_ipadd reads it.
            return Optional.of(address.length == 16 ? address : ipv4Mapped(address));
        } catch (UnknownHostException notAnAddress) {
            return Optional.empty();
        }
    }

    private static byte[] ipv4Mapped(byte[] ipv4) {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(ipv4, 0, mapped, 12, 4);
        return mapped;
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

    /**
     * The SAN entries, or empty when the certificate has none. An extension that does not parse
     * must not fall back to the CN: it presents one impossible name.
     */
    private static List<San> subjectAltNames(X509Certificate cert) {
        try {
            Optional<byte[]> der = Der.extension(cert, SUBJECT_ALT_NAME);
            if (der.isEmpty()) {
                return List.of();
            }
            List<San> sans = new ArrayList<>();
            for (Der.Value name : Der.read(der.get()).expect(Der.SEQUENCE, "GeneralNames").elements()) {
                sans.add(new San(name.tag(), name.content()));
            }
            return sans;
        } catch (Der.Malformed malformed) {
            return List.of(UNPARSEABLE);
        }
    }

    /** The subject's last CN in DER order (the first in RFC 2253 text), if it is a string. */
    private static Optional<String> lastCommonName(X509Certificate cert) {
        List<Rdn> rdns = ldapName(cert.getSubjectX500Principal()).getRdns(); // most significant first
        for (int i = rdns.size() - 1; i >= 0; i--) {
            Attribute cn = rdns.get(i).toAttributes().get("CN");
            if (cn != null) {
                return lastString(cn);
            }
        }
        return Optional.empty();
    }

    /** Non-string values (RFC 2253 "#hex" for unusual ASN.1 types) are not host names. */
    private static Optional<String> lastString(Attribute attribute) {
        try {
            return attribute.get(attribute.size() - 1) instanceof String s ? Optional.of(s) : Optional.empty();
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
