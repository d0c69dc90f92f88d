package loomproxy.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What to put in one certificate, refined fluently and ended with {@link #issue()}. Defaults:
 * a CA has CA:TRUE, keyCertSign and cRLSign and is valid from 30 days ago for ten years; a server
 * leaf has its CN as DNS SAN (or IP SAN for an address), serverAuth, digitalSignature and is valid
 * from a day ago for a year; a client leaf has clientAuth and no SAN.
 */
public final class CertSpec<T> {
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");
    private static final Duration DAY = Duration.ofDays(1);

    private final TestPki pki;
    private final String cn;
    private final boolean ca;
    private final Function<CertSpec<T>, T> issuer;
    private final List<String> dns = new ArrayList<>();
    private final List<String> ip = new ArrayList<>();
    private boolean san;
    private boolean basicConstraintsCa;
    private List<String> keyUsage;
    private List<String> eku;
    private Instant notBefore;
    private Instant notAfter;
    private TestPki.KeyType keyType = TestPki.KeyType.EC;
    private boolean freshKey;

    private CertSpec(TestPki pki, String cn, boolean ca, Function<CertSpec<T>, T> issuer) {
        this.pki = pki;
        this.cn = cn;
        this.ca = ca;
        this.issuer = issuer;
        this.basicConstraintsCa = ca;
        this.freshKey = ca;
        this.keyUsage = ca ? List.of("keyCertSign", "cRLSign") : List.of("digitalSignature");
        this.eku = ca ? List.of() : List.of("serverAuth");
        validity(pki.now().minus(DAY.multipliedBy(ca ? 30 : 1)), pki.now().plus(DAY.multipliedBy(ca ? 3650 : 365)));
    }

    static CertSpec<Ca> ca(TestPki pki, String cn, Function<CertSpec<Ca>, Ca> issuer) {
        return new CertSpec<>(pki, cn, true, issuer);
    }

    static CertSpec<Issued> server(TestPki pki, String cn, Function<CertSpec<Issued>, Issued> issuer) {
        CertSpec<Issued> spec = new CertSpec<>(pki, cn, false, issuer);
        spec.san = true;
        return spec;
    }

    static CertSpec<Issued> client(TestPki pki, String cn, Function<CertSpec<Issued>, Issued> issuer) {
        return new CertSpec<>(pki, cn, false, issuer).eku("clientAuth");
    }

    /** DNS SANs (wildcards as written); replaces the default SAN taken from the CN. */
    public CertSpec<T> dns(String... names) {
        san = true;
        dns.addAll(List.of(names));
        return this;
    }

    /** iPAddress SANs, v4 or v6 literals; replaces the default SAN taken from the CN. */
    public CertSpec<T> ip(String... addresses) {
        san = true;
        ip.addAll(List.of(addresses));
        return this;
    }

    /** No subjectAltName extension at all: the name lives only in the subject CN. */
    public CertSpec<T> cnOnly() {
        san = false;
        dns.clear();
        ip.clear();
        return this;
    }

    /** extendedKeyUsage clientAuth only: a certificate no TLS server may present. */
    public CertSpec<T> clientAuthOnly() {
        return eku("clientAuth");
    }

    /** extendedKeyUsage as OpenSSL names it (serverAuth, clientAuth, anyExtendedKeyUsage, ...); none: no extension. */
    public CertSpec<T> eku(String... usages) {
        eku = List.of(usages);
        return this;
    }

    /** keyUsage as OpenSSL names it (digitalSignature, keyEncipherment, keyCertSign, ...); none: no extension. */
    public CertSpec<T> keyUsage(String... usages) {
        keyUsage = List.of(usages);
        return this;
    }

    /** basicConstraints CA:FALSE on a certificate that is nevertheless used to issue others. */
    public CertSpec<T> notCa() {
        basicConstraintsCa = false;
        return this;
    }

    /** Valid from 60 days ago until 2 days ago. */
    public CertSpec<T> expired() {
        return validity(pki.now().minus(DAY.multipliedBy(60)), pki.now().minus(DAY.multipliedBy(2)));
    }

    /** Valid from 2 days from now for 60 days. */
    public CertSpec<T> notYetValid() {
        return validity(pki.now().plus(DAY.multipliedBy(2)), pki.now().plus(DAY.multipliedBy(60)));
    }

    public CertSpec<T> validity(Instant from, Instant until) {
        notBefore = from;
        notAfter = until;
        return this;
    }

    /** An RSA 2048 key instead of EC P-256 (a server leaf then also gets keyEncipherment). */
    public CertSpec<T> rsa() {
        keyType = TestPki.KeyType.RSA;
        if (!ca && keyUsage.equals(List.of("digitalSignature"))) {
            keyUsage = List.of("digitalSignature", "keyEncipherment");
        }
        return this;
    }

    /** A key of its own instead of the key all leaves of this PKI share (CAs always have their own). */
    public CertSpec<T> freshKey() {
        freshKey = true;
        return this;
    }

    public T issue() {
        return issuer.apply(this);
    }

    String cn() {
        return cn;
    }

    Instant notBefore() {
        return notBefore;
    }

    Instant notAfter() {
        return notAfter;
    }

    KeyMaterial key() {
        return pki.key(keyType, freshKey);
    }

    /** The {@code [ext]} section {@code openssl ca -extfile} reads. */
    String extensions() {
        StringBuilder text = new StringBuilder("[ ext ]\n");
        text.append("basicConstraints = critical, CA:").append(basicConstraintsCa ? "TRUE" : "FALSE").append('\n');
        if (!keyUsage.isEmpty()) {
            text.append("keyUsage = critical, ").append(String.join(", ", keyUsage)).append('\n');
        }
        if (!eku.isEmpty()) {
            text.append("extendedKeyUsage = ").append(String.join(", ", eku)).append('\n');
        }
        List<String> names = subjectAltNames();
        if (!names.isEmpty()) {
            text.append("subjectAltName = ").append(String.join(", ", names)).append('\n');
        }
        return text.append("subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n").toString();
    }

    private List<String> subjectAltNames() {
        List<String> names = new ArrayList<>();
        if (san && dns.isEmpty() && ip.isEmpty()) {
            names.add((IP_LITERAL.matcher(cn).matches() ? "IP:" : "DNS:") + cn);
        }
        dns.forEach(name -> names.add("DNS:" + name));
        ip.forEach(address -> names.add("IP:" + address));
        return names;
    }
}
