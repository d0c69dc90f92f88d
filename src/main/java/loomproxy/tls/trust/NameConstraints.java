package loomproxy.tls.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidatorException;
import java.security.cert.PKIXReason;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import loomproxy.tls.der.Der;

/**
 * The nameConstraints of one CA (RFC 5280 §4.2.1.10) where PKIX leaves them out, and the text that
 * names them when they are violated.
 *
 * <p>A trusted intermediate's constraints must hold for the path below it (SPEC §4), as OpenSSL's
 * {@code check_name_constraints} applies every CA's up to the trust anchor. The JDK's PKIX cannot
 * be told: it refuses a {@code TrustAnchor} that carries name constraints ("name constraints in
 * trust anchor not supported", sun.security.provider.certpath.PKIX). The matching is still the
 * JDK's own, the one its PKIX applies to intermediates (sun.security.x509.NameConstraintsExtension,
 * reached through the public {@link X509CertSelector#setNameConstraints}): permitted and excluded
 * DNS, IP and directoryName subtrees against the subject, the subjectAltNames and, when there is no
 * DNS SAN, the subject's last CN. A violation fails with reason {@code name}, as OpenSSL reports
 * X509_V_ERR_PERMITTED_VIOLATION / EXCLUDED_VIOLATION about the certificate's names.
 *
 * <p>An extension that cannot be read fails the path ({@code untrusted}), as OpenSSL marks such a
 * certificate invalid; the JDK would silently drop a non-critical one of an intermediate.
 */
final class NameConstraints {
    private static final String OID = "2.5.29.30";
    /** Context-specific tags: the two GeneralSubtrees of NameConstraints, BaseDistance fields. */
    private static final int PERMITTED = 0xA0;
    private static final int EXCLUDED = 0xA1;
    private static final int MINIMUM = 0x80;
    private static final int DNS_NAME = 0x82;

    private final String who;
    private final X509CertSelector selector;
    private final List<Subtree> permitted;
    private final List<Subtree> excluded;

    /** One subtree's base: its GeneralName tag, its text as OpenSSL prints it, and its DNS name if a dNSName. */
    private record Subtree(int tag, String text, String dnsName) {}

    private NameConstraints(String who, X509CertSelector selector, List<Subtree> permitted, List<Subtree> excluded) {
        this.who = who;
        this.selector = selector;
        this.permitted = permitted;
        this.excluded = excluded;
    }

    /**
     * What PKIX leaves out: a trusted intermediate's constraints over the path below it, and every
     * CA's DNS constraints over the CN that the name check falls back to (the JDK's and OpenSSL's
     * matchers skip a CN that is not a plain host name, such as {@code *.db.internal}, which the
     * name check would still match). Every CA's extension must at least be readable.
     */
    static void require(TrustPath path) throws VerificationException {
        Optional<String> cn = HostnameMatcher.commonNameInUse(path.leaf())
                .filter(name -> HostnameMatcher.ipLiteral(name).isEmpty()); // never matched: IP names need IP SANs
        for (X509Certificate ca : path.intermediateCas()) {
            Optional<NameConstraints> constraints = of(ca, CertText.subject(ca));
            if (constraints.isPresent() && cn.isPresent()) {
                constraints.get().requireDns(cn.get(), path.leaf());
            }
        }
        if (path.trustedIntermediate().isPresent()) {
            Optional<NameConstraints> anchor = of(path.anchor(), CertText.anchor(path.anchor()));
            if (anchor.isPresent()) {
                anchor.get().requireBelow(path.certs());
                if (cn.isPresent()) {
                    anchor.get().requireDns(cn.get(), path.leaf());
                }
            }
        }
    }

    private void requireBelow(List<X509Certificate> below) throws VerificationException {
        for (int i = 0; i < below.size(); i++) {
            X509Certificate cert = below.get(i);
            // RFC 5280 §6.1.3 (b): a self-issued intermediate (a key rollover) is not constrained.
            boolean selfIssued = cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
            if ((i == 0 || !selfIssued) && !permits(cert)) {
                throw violatedBy(cert, null);
            }
        }
    }

    /** A DNS name against the DNS subtrees, as the JDK's matcher takes a DNS SAN (a wildcard as text). */
    private void requireDns(String name, X509Certificate leaf) throws VerificationException {
        List<String> allowed = dnsBases(permitted);
        boolean inside = allowed.isEmpty() || allowed.stream().anyMatch(base -> within(name, base));
        if (!inside || dnsBases(excluded).stream().anyMatch(base -> within(name, base))) {
            throw violatedBy(leaf, null);
        }
    }

    /**
     * Is {@code name} in the subtree of {@code base} (RFC 5280 §4.2.1.10: the base with zero or more
     * labels added on the left), case-insensitively? A base with a leading dot, as the JDK's
     * DNSName#constrains reads it, stands for the names below it only.
     */
    private static boolean within(String name, String base) {
        String n = name.toLowerCase(Locale.ROOT);
        String b = base.toLowerCase(Locale.ROOT);
        if (b.isEmpty() || n.equals(b)) {
            return true;
        }
        return b.startsWith(".") ? n.endsWith(b) && n.charAt(n.length() - b.length() - 1) != '.' : n.endsWith("." + b);
    }

    private static List<String> dnsBases(List<Subtree> subtrees) {
        return subtrees.stream().filter(subtree -> subtree.tag() == DNS_NAME).map(Subtree::dnsName).toList();
    }

    /**
     * Reason {@code name} for a violation the JDK's PKIX found at {@code index} of the path: names the
     * CA above whose constraints the certificate breaks.
     */
    static VerificationException describe(TrustPath path, int index, CertPathValidatorException e) {
        X509Certificate cert = path.certs().get(index);
        for (X509Certificate ca : path.certs().subList(index + 1, path.certs().size())) {
            try {
                Optional<NameConstraints> constraints = of(ca, CertText.subject(ca));
                if (constraints.isPresent() && !constraints.get().permits(cert)) {
                    return constraints.get().violatedBy(cert, e);
                }
            } catch (VerificationException unreadable) {
                return unreadable;
            }
        }
        return new VerificationException(VerifyReason.NAME, CertText.subject(cert) + " "
                + HostnameMatcher.namesOf(cert) + " is outside the name constraints of a CA above it", e);
    }

    /** The CA's constraints, or empty when it has none; {@code who} names the CA in messages. */
    static Optional<NameConstraints> of(X509Certificate ca, String who) throws VerificationException {
        try {
            Optional<byte[]> der = Der.extension(ca, OID);
            if (der.isEmpty()) {
                return Optional.empty();
            }
            List<Subtree> permitted = new ArrayList<>();
            List<Subtree> excluded = new ArrayList<>();
            for (Der.Value subtrees : Der.read(der.get()).expect(Der.SEQUENCE, "NameConstraints").elements()) {
                switch (subtrees.tag()) {
                    case PERMITTED -> permitted.addAll(subtrees(subtrees));
                    case EXCLUDED -> excluded.addAll(subtrees(subtrees));
                    default -> throw new Der.Malformed(String.format("unexpected tag 0x%02x", subtrees.tag()));
                }
            }
            var selector = new X509CertSelector();
            selector.setNameConstraints(der.get());
            return Optional.of(new NameConstraints(who, selector, List.copyOf(permitted), List.copyOf(excluded)));
        } catch (Der.Malformed | IOException e) {
            throw untrusted(who + " has a nameConstraints extension that cannot be read: " + e.getMessage());
        }
    }

    private boolean permits(X509Certificate cert) throws VerificationException {
        try {
            return selector.match(cert);
        } catch (RuntimeException e) {
            // Fail closed: the JDK's matcher throws on some inputs (an empty DNS subtree or name).
            throw untrusted(who + " has name constraints the JDK cannot apply to " + CertText.subject(cert)
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private VerificationException violatedBy(X509Certificate cert, CertPathValidatorException pkix) {
        String detail = CertText.subject(cert) + " " + HostnameMatcher.namesOf(cert)
                + " is outside the name constraints of " + who + ": " + text();
        var cause = pkix != null ? pkix : new CertPathValidatorException(detail, null, null, -1, PKIXReason.INVALID_NAME);
        return new VerificationException(VerifyReason.NAME, detail, cause);
    }

    /** {@code permitted [DNS:partner.example], excluded [IP:10.0.0.0/255.0.0.0]}, as openssl x509 -text lists them. */
    private String text() {
        List<String> parts = new ArrayList<>();
        if (!permitted.isEmpty()) {
            parts.add("permitted " + permitted.stream().map(Subtree::text).toList());
        }
        if (!excluded.isEmpty()) {
            parts.add("excluded " + excluded.stream().map(Subtree::text).toList());
        }
        return String.join(", ", parts);
    }

    /** GeneralSubtrees: each GeneralSubtree a base name; minimum 0 and no maximum (RFC 5280 §4.2.1.10). */
    private static List<Subtree> subtrees(Der.Value subtrees) throws Der.Malformed {
        List<Subtree> bases = new ArrayList<>();
        for (Der.Value subtree : subtrees.elements()) {
            List<Der.Value> fields = subtree.expect(Der.SEQUENCE, "GeneralSubtree").elements();
            if (fields.isEmpty()) {
                throw new Der.Malformed("a GeneralSubtree without a base");
            }
            for (Der.Value field : fields.subList(1, fields.size())) {
                boolean zeroMinimum = field.tag() == MINIMUM && field.content().length == 1 && field.content()[0] == 0;
                if (!zeroMinimum) {
                    throw new Der.Malformed("a minimum or maximum BaseDistance, which RFC 5280 forbids");
                }
            }
            Der.Value base = fields.get(0);
            bases.add(new Subtree(base.tag(), generalName(base), base.tag() == DNS_NAME ? text(base.content()) : ""));
        }
        return bases;
    }

    /** A GeneralName as OpenSSL prints it (RFC 5280 §4.2.1.6 tags). */
    private static String generalName(Der.Value name) throws Der.Malformed {
        return switch (name.tag()) {
            case 0xA0 -> "othername";
            case 0x81 -> "email:" + text(name.content());
            case DNS_NAME -> "DNS:" + text(name.content());
            case 0xA3 -> "X400Name";
            case 0xA4 -> "DirName:" + directoryName(name.content());
            case 0xA5 -> "EdiPartyName";
            case 0x86 -> "URI:" + text(name.content());
            case 0x87 -> "IP:" + addressRange(name.content());
            case 0x88 -> "Registered ID";
            default -> throw new Der.Malformed(String.format("a GeneralName with tag 0x%02x", name.tag()));
        };
    }

    private static String text(byte[] ia5) {
        return new String(ia5, StandardCharsets.ISO_8859_1);
    }

    private static String directoryName(byte[] name) throws Der.Malformed {
        try {
            return new X500Principal(name).getName();
        } catch (IllegalArgumentException e) {
            throw new Der.Malformed("a directoryName that is not a Name");
        }
    }

    /** An address and its mask, 4 + 4 or 16 + 16 bytes (RFC 5280 §4.2.1.10). */
    private static String addressRange(byte[] bytes) throws Der.Malformed {
        if (bytes.length != 8 && bytes.length != 32) {
            throw new Der.Malformed("an iPAddress subtree of " + bytes.length + " bytes, not 8 or 32");
        }
        int half = bytes.length / 2;
        return CertText.ip(Arrays.copyOfRange(bytes, 0, half)) + "/" + CertText.ip(Arrays.copyOfRange(bytes, half, bytes.length));
    }

    private static VerificationException untrusted(String detail) {
        var cause = new CertPathValidatorException(detail, null, null, -1, PKIXReason.INVALID_NAME);
        return new VerificationException(VerifyReason.UNTRUSTED, detail, cause);
    }
}
