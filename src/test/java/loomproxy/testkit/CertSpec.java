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
    private final List<String> nameConstraints = new ArrayList<>();
    private final List<String> rawExtensions = new ArrayList<>();
    private String subject;
    private boolean san;
    private boolean basicConstraintsCa;
    private int pathLen = -1;
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

    /** basicConstraints pathlen:N on a CA: at most N intermediates below it. */
    public CertSpec<T> pathLen(int n) {
        pathLen = n;
        return this;
    }

    /**
     * nameConstraints (critical) in OpenSSL's syntax: {@code "permitted;DNS:partner.example"},
     * {@code "excluded;IP:10.0.0.0/255.0.0.0"}, {@code "permitted;dirName:O=Partner,OU=Ops"} (the
     * directory name as comma-separated attributes, most significant first).
     */
    public CertSpec<T> nameConstraints(String... subtrees) {
        nameConstraints.addAll(List.of(subtrees));
        return this;
    }

    /** The subject in {@code openssl -subj} syntax, e.g. {@code "/O=Partner/CN=first/CN=last"}; default {@code /CN=cn}. */
    public CertSpec<T> subject(String opensslSubject) {
        subject = opensslSubject;
        return this;
    }

    /**
     * One more line for the {@code [ext]} section as OpenSSL's x509v3_config reads it, for what the
     * other methods cannot say, e.g. {@code "nameConstraints = critical, DER:30:02:a0:00"}.
     */
    public CertSpec<T> extension(String configLine) {
        rawExtensions.add(configLine);
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

    /** The subject for {@code openssl ca -subj}. */
    String subject() {
        return subject != null ? subject : "/CN=" + cn.replaceAll("([/+\\\\])", "\\\\$1");
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
        text.append("basicConstraints = critical, CA:").append(basicConstraintsCa ? "TRUE" : "FALSE")
                .append(pathLen >= 0 ? ", pathlen:" + pathLen : "").append('\n');
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
        List<String> directoryNames = new ArrayList<>();
        if (!nameConstraints.isEmpty()) {
            text.append("nameConstraints = critical, ").append(String.join(", ", nameConstraints.stream()
                    .map(subtree -> directoryNameSection(subtree, directoryNames)).toList())).append('\n');
        }
        rawExtensions.forEach(line -> text.append(line).append('\n'));
        text.append("subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n");
        for (int i = 0; i < directoryNames.size(); i++) {
            text.append("[ dir_").append(i).append(" ]\n")
                    .append(directoryNames.get(i).replace(",", "\n")).append('\n');
        }
        return text.toString();
    }

    /** OpenSSL takes a dirName as the name of a section: {@code dirName:O=X} becomes {@code dirName:dir_N}. */
    private static String directoryNameSection(String subtree, List<String> sections) {
        int at = subtree.indexOf("dirName:");
        if (at < 0) {
            return subtree;
        }
        sections.add(subtree.substring(at + "dirName:".length()));
        return subtree.substring(0, at) + "dirName:dir_" + (sections.size() - 1);
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
