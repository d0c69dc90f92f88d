package loomproxy.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A certificate authority of a {@link TestPki}: its certificate and key, plus the {@code openssl ca}
 * database (index.txt, serial from 1000, crlnumber) that lets it revoke and publish CRLs.
 */
public final class Ca {
    private final TestPki pki;
    private final Issued cert;
    private final boolean root;
    private final Path config;
    private int crls;

    private Ca(TestPki pki, Issued cert, boolean root) {
        this.pki = pki;
        this.cert = cert;
        this.root = root;
        this.config = writeDatabase(cert.directory());
    }

    static Ca selfSigned(TestPki pki, CertSpec<Ca> spec) {
        Path dir = pki.newDirectory(spec.cn());
        KeyMaterial key = spec.key();
        Path config = writeDatabase(dir);
        Path out = sign(pki, config, spec, key, dir, "-selfsign", "-keyfile", key.pem().toString());
        return new Ca(pki, Issued.create(spec.cn(), dir, Pem.readCertificate(out), key.key(), List.of()), true);
    }

    /** This CA's own certificate, key and files. */
    public Issued cert() {
        return cert;
    }

    public X509Certificate certificate() {
        return cert.cert();
    }

    public String name() {
        return cert.name();
    }

    public CertSpec<Ca> newIntermediate(String cn) {
        return CertSpec.ca(pki, cn, spec -> new Ca(pki, issue(spec), false));
    }

    public Ca intermediate(String cn) {
        return newIntermediate(cn).issue();
    }

    /** {@code count} intermediates, each under the previous: "Int 1" under this CA, "Int 2" under "Int 1", ... */
    public List<Ca> intermediates(int count) {
        List<Ca> chain = new ArrayList<>();
        Ca parent = this;
        for (int i = 1; i <= count; i++) {
            parent = parent.intermediate("Int " + i);
            chain.add(parent);
        }
        return chain;
    }

    /** A server leaf; {@code cn} is also its one SAN unless the spec sets others. */
    public CertSpec<Issued> newServer(String cn) {
        return CertSpec.server(pki, cn, this::issue);
    }

    public Issued server(String cn) {
        return newServer(cn).issue();
    }

    /** A clientAuth leaf for mutual TLS. */
    public CertSpec<Issued> newClient(String cn) {
        return CertSpec.client(pki, cn, this::issue);
    }

    public Issued client(String cn) {
        return newClient(cn).issue();
    }

    /** Marks a certificate this CA issued as revoked in its database; the next {@link #crl()} lists it. */
    public synchronized void revoke(Issued issued) {
        if (!issued.cert().getIssuerX500Principal().equals(certificate().getSubjectX500Principal())) {
            throw new IllegalArgumentException(issued.name() + " was not issued by " + name());
        }
        pki.openssl("ca", "-batch", "-config", config.toString(), "-revoke", issued.certPem().toString());
    }

    /** A current CRL: issued an hour ago, next update in a week. */
    public Crl crl() {
        return crl(pki.now().minus(Duration.ofHours(1)), pki.now().plus(Duration.ofDays(7)));
    }

    /** A CRL whose nextUpdate passed a day ago. */
    public Crl expiredCrl() {
        return crl(pki.now().minus(Duration.ofDays(8)), pki.now().minus(Duration.ofDays(1)));
    }

    public synchronized Crl crl(Instant thisUpdate, Instant nextUpdate) {
        Path out = cert.directory().resolve("crl-" + (++crls) + ".pem");
        pki.openssl("ca", "-batch", "-config", config.toString(), "-gencrl",
                "-crl_lastupdate", TestPki.opensslTime(thisUpdate),
                "-crl_nextupdate", TestPki.opensslTime(nextUpdate), "-out", out.toString());
        return new Crl(this, out, Pem.readCrl(out));
    }

    private synchronized Issued issue(CertSpec<?> spec) {
        Path dir = pki.newDirectory(spec.cn());
        KeyMaterial key = spec.key();
        Path out = sign(pki, config, spec, key, dir);
        return Issued.create(spec.cn(), dir, Pem.readCertificate(out), key.key(), intermediatesAbove());
    }

    /** What a server under this CA sends after its own certificate: this CA and its parents, never the root. */
    private List<X509Certificate> intermediatesAbove() {
        return root ? List.of() : Stream.of(cert.chain()).toList();
    }

    private static Path sign(TestPki pki, Path config, CertSpec<?> spec, KeyMaterial key, Path dir, String... extra) {
        Path ext = Pem.write(dir.resolve("ext.cnf"), spec.extensions());
        Path out = dir.resolve("cert.pem");
        List<String> args = new ArrayList<>(List.of("ca", "-batch", "-config", config.toString(),
                "-in", key.csr().toString(), "-subj", spec.subject(), "-preserveDN",
                "-startdate", TestPki.opensslTime(spec.notBefore()),
                "-enddate", TestPki.opensslTime(spec.notAfter()),
                "-extfile", ext.toString(), "-extensions", "ext", "-notext", "-out", out.toString()));
        args.addAll(List.of(extra));
        pki.openssl(args.toArray(String[]::new));
        return out;
    }

    /** The minimal {@code openssl ca} configuration and database for a CA living in {@code dir}. */
    private static Path writeDatabase(Path dir) {
        Path config = dir.resolve("ca.cnf");
        if (Files.exists(config)) {
            return config;
        }
        Pem.write(dir.resolve("index.txt"), "");
        Pem.write(dir.resolve("serial"), "1000\n");
        Pem.write(dir.resolve("crlnumber"), "1000\n");
        try {
            Files.createDirectories(dir.resolve("issued"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Pem.write(config, """
                [ ca ]
                default_ca = this
                [ this ]
                dir = %s
                database = $dir/index.txt
                new_certs_dir = $dir/issued
                serial = $dir/serial
                crlnumber = $dir/crlnumber
                certificate = $dir/cert.pem
                private_key = $dir/key.pem
                default_md = sha256
                policy = any
                unique_subject = no
                email_in_dn = no
                [ any ]
                commonName = supplied
                """.formatted(dir.toAbsolutePath()));
    }
}
