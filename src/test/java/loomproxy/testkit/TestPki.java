package loomproxy.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A throwaway PKI made with the {@code openssl} CLI (OpenSSL 3.0: {@code openssl ca} with a minimal
 * database per CA, so certificates can have any dates and be revoked) in a directory the test owns.
 *
 * <pre>{@code
 * TestPki pki = TestPki.in(tempDir);
 * Ca root = pki.root("Root CA");
 * Ca int1 = root.intermediate("Int 1");                  // or root.intermediates(3)
 * Issued leaf = int1.server("upstream.example.com");     // DNS SAN, serverAuth, valid now
 * Issued odd = int1.newServer("leaf").dns("a.example.com").ip("127.0.0.1").expired().issue();
 * int1.revoke(odd);
 * Path trusted = pki.bundle("trusted.pem", root);
 * Path crls = pki.crlBundle("crl.pem", root.crl(), int1.crl());
 * SSLContext upstream = leaf.serverContext();            // a JSSE server presenting leaf + Int 1
 * }</pre>
 *
 * Keys are EC P-256 unless a spec asks {@code rsa()}. Every CA has its own key; leaves share one key
 * per key type (unless {@code freshKey()}), made in-process: a certificate costs one openssl run.
 * Dates are relative to {@link #now()}: CAs from 30 days before it, leaves from one day before it.
 */
public final class TestPki {
    /** The password of every PKCS#12 file and in-memory key store the kit makes. */
    public static final String P12_PASSWORD = "changeit";
    private static final DateTimeFormatter OPENSSL_TIME =
            DateTimeFormatter.ofPattern("uuuuMMddHHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Path dir;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final Path reqConfig;
    private final Map<KeyType, KeyMaterial> sharedLeafKeys = new EnumMap<>(KeyType.class);
    private int sequence;

    private TestPki(Path dir) {
        this.dir = dir;
        // openssl req insists on a distinguished_name section; the subject is replaced at signing.
        this.reqConfig = Pem.write(dir.resolve("req.cnf"),
                "[ req ]\ndistinguished_name = dn\nprompt = no\n[ dn ]\nCN = testkit\n");
    }

    /** A new PKI writing its files under {@code dir} (typically a JUnit {@code @TempDir}). */
    public static TestPki in(Path dir) {
        return new TestPki(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The instant the default validity periods are relative to (whole seconds). */
    public Instant now() {
        return now;
    }

    /** A self-signed root CA to refine ({@code .expired()}, {@code .rsa()}, ...) before {@code issue()}. */
    public CertSpec<Ca> newRoot(String cn) {
        return CertSpec.ca(this, cn, spec -> Ca.selfSigned(this, spec));
    }

    public Ca root(String cn) {
        return newRoot(cn).issue();
    }

    /** A PEM bundle of the CAs' certificates, as proxy_ssl_trusted_certificate takes. */
    public Path bundle(String fileName, Ca... cas) {
        return bundle(fileName, Arrays.stream(cas).map(Ca::certificate).toArray(X509Certificate[]::new));
    }

    public Path bundle(String fileName, X509Certificate... certs) {
        return Pem.write(dir.resolve(fileName), Pem.certificates(List.of(certs)));
    }

    /** Several CRLs in one PEM file, as proxy_ssl_crl takes. */
    public Path crlBundle(String fileName, Crl... crls) {
        String text = Arrays.stream(crls).map(crl -> read(crl.pem())).collect(Collectors.joining());
        return Pem.write(dir.resolve(fileName), text);
    }

    /** Runs {@code openssl ARGS} in {@link #dir()}; returns its output or throws with it. */
    public String openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = process.waitFor();
            if (status != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + status + ": " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** A fresh numbered directory for one certificate (and, for a CA, its database). */
    synchronized Path newDirectory(String cn) {
        String slug = cn.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-");
        try {
            return Files.createDirectories(dir.resolve(String.format("%02d-%s", ++sequence, slug)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared leaf key of a type, or a fresh key (always for CAs, so every CA signs with its own). */
    synchronized KeyMaterial key(KeyType type, boolean fresh) {
        if (fresh) {
            return generate(type, "key-" + (++sequence));
        }
        return sharedLeafKeys.computeIfAbsent(type, t -> generate(t, "leaf-key-" + t.name().toLowerCase(Locale.ROOT)));
    }

    static String opensslTime(Instant instant) {
        return OPENSSL_TIME.format(instant);
    }

    private KeyMaterial generate(KeyType type, String name) {
        Path pem = dir.resolve(name + ".pem");
        PrivateKey key;
        if (type == KeyType.EC) {
            key = newEcKey();
            Pem.write(pem, Pem.encode("PRIVATE KEY", key.getEncoded()));
        } else {
            // openssl makes an RSA key in ~0.2 s; a cold JVM takes up to 2 s.
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pem.toString());
            key = Pem.readPrivateKey(pem, "RSA");
        }
        Path csr = dir.resolve(name + ".csr");
        openssl("req", "-new", "-config", reqConfig.toString(), "-key", pem.toString(), "-out", csr.toString());
        return new KeyMaterial(key, pem, csr);
    }

    private static PrivateKey newEcKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair().getPrivate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    enum KeyType { EC, RSA }
}
