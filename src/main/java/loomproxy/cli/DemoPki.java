package loomproxy.cli;

import static loomproxy.tls.der.DerWriter.bitString;
import static loomproxy.tls.der.DerWriter.bool;
import static loomproxy.tls.der.DerWriter.explicit;
import static loomproxy.tls.der.DerWriter.implicit;
import static loomproxy.tls.der.DerWriter.integer;
import static loomproxy.tls.der.DerWriter.namedBits;
import static loomproxy.tls.der.DerWriter.octetString;
import static loomproxy.tls.der.DerWriter.oid;
import static loomproxy.tls.der.DerWriter.sequence;
import static loomproxy.tls.der.DerWriter.set;
import static loomproxy.tls.der.DerWriter.time;
import static loomproxy.tls.der.DerWriter.utf8String;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * A throw-away PKI for {@code --demo}: a CA, a server certificate for the embedded TLS echo upstream
 * and a client certificate for loomproxy, all in memory, so the demo needs no files and no openssl.
 * Certificates are written with {@link DerWriter} and then parsed by the JDK's CertificateFactory,
 * which both proves the encoding and yields ordinary {@link X509Certificate} objects.
 */
final class DemoPki {
    record Issued(X509Certificate certificate, PrivateKey key) {}

    private static final String SHA256_WITH_ECDSA = "1.2.840.10045.4.3.2"; // RFC 5758 §3.2
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String SUBJECT_KEY_ID = "2.5.29.14";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String AUTHORITY_KEY_ID = "2.5.29.35";
    private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    // KeyUsage bit numbers, RFC 5280 §4.2.1.3.
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_CERT_SIGN = 5;
    private static final int CRL_SIGN = 6;
    /** Backdated so a peer whose clock runs a little behind ours still accepts the certificates. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    /**
     * Made per run and removed on exit, but long-lived enough that the start-up check's warning for
     * certificates expiring within 30 days does not greet every demo with two [warn] lines.
     */
    private static final Duration LIFETIME = Duration.ofDays(90);

    private final X509Certificate ca;
    private final Issued server;
    private final Issued client;

    private DemoPki(X509Certificate ca, Issued server, Issued client) {
        this.ca = ca;
        this.server = server;
        this.client = client;
    }

    /** EC P-256 keys signed with SHA256withECDSA, valid from an hour ago for 90 days. */
    static DemoPki create() {
        return create(Instant.now());
    }

    /** As {@link #create()}, with "now" given, so tests can reach the UTCTime/GeneralizedTime switch. */
    static DemoPki create(Instant now) {
        try {
            var authority = new Authority(now);
            Issued server = authority.issue("localhost", extendedKeyUsage(SERVER_AUTH), localhostNames());
            Issued client = authority.issue("loomproxy demo client", extendedKeyUsage(CLIENT_AUTH));
            return new DemoPki(authority.certificate, server, client);
        } catch (GeneralSecurityException e) {
            // SunEC ships in every JDK since 9; reaching this means a stripped or broken runtime.
            throw new IllegalStateException("--demo: this JDK cannot create EC P-256 certificates signed "
                    + "with SHA256withECDSA (" + e + "); use a full JDK 21 or later", e);
        }
    }

    X509Certificate ca() {
        return ca;
    }

    Issued server() {
        return server;
    }

    Issued client() {
        return client;
    }

    static String pem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal()
                    + " has no DER encoding: " + e.getMessage(), e);
        }
    }

    /** The key's PKCS#8 encoding as {@code BEGIN PRIVATE KEY} (RFC 7468 §10), unencrypted. */
    static String pem(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("private key " + key.getAlgorithm() + " encodes as "
                    + key.getFormat() + ", not PKCS#8; only in-memory software keys can be written");
        }
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static String pem(String label, byte[] der) {
        // RFC 7468 §2: base64 in lines of exactly 64 characters, the last one possibly shorter.
        var base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN " + label + "-----\n" + base64.encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    /** The CA's key, name and validity, and the one place certificates are signed. */
    private static final class Authority {
        private final SecureRandom random = new SecureRandom();
        private final KeyPairGenerator generator;
        private final Instant notBefore;
        private final Instant notAfter;
        private final KeyPair keys;
        private final byte[] issuer;
        private final byte[] issuerKeyId;
        private final X509Certificate certificate;

        Authority(Instant now) throws GeneralSecurityException {
            generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            notBefore = now.minus(BACKDATE);
            notAfter = now.plus(LIFETIME);
            keys = generator.generateKeyPair();
            issuer = name("loomproxy demo CA");
            issuerKeyId = keyId(keys.getPublic());
            // RFC 5280 §4.2.1.1 lets a self-signed CA omit the authority key identifier.
            certificate = sign(issuer, keys.getPublic(),
                    extension(BASIC_CONSTRAINTS, true, sequence(bool(true))),
                    extension(KEY_USAGE, true, namedBits(KEY_CERT_SIGN, CRL_SIGN)),
                    extension(SUBJECT_KEY_ID, false, octetString(issuerKeyId)));
        }

        /** A fresh key pair and its certificate: the given extensions plus KU, SKI and AKI. */
        Issued issue(String commonName, byte[]... extensions) throws GeneralSecurityException {
            KeyPair subject = generator.generateKeyPair();
            byte[][] all = new byte[extensions.length + 3][];
            System.arraycopy(extensions, 0, all, 0, extensions.length);
            // digitalSignature alone suits an EC key in TLS: it signs the handshake (RFC 8446 §4.4.3).
            all[extensions.length] = extension(KEY_USAGE, true, namedBits(DIGITAL_SIGNATURE));
            all[extensions.length + 1] = extension(SUBJECT_KEY_ID, false, octetString(keyId(subject.getPublic())));
            all[extensions.length + 2] = extension(AUTHORITY_KEY_ID, false, sequence(implicit(0, issuerKeyId)));
            return new Issued(sign(name(commonName), subject.getPublic(), all), subject.getPrivate());
        }

        /** RFC 5280 §4.1: TBSCertificate, then the CA's signature over exactly those bytes. */
        private X509Certificate sign(byte[] subject, PublicKey subjectKey, byte[]... extensions)
                throws GeneralSecurityException {
            byte[] algorithm = sequence(oid(SHA256_WITH_ECDSA)); // ECDSA takes no NULL parameters
            byte[] tbs = sequence(
                    explicit(0, integer(BigInteger.TWO)), // v3
                    integer(serial()),
                    algorithm,
                    issuer,
                    sequence(time(notBefore), time(notAfter)),
                    subject,
                    subjectKey.getEncoded(), // already a DER SubjectPublicKeyInfo
                    explicit(3, sequence(extensions)));
            var signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate(), random);
            signer.update(tbs);
            return parse(sequence(tbs, algorithm, bitString(signer.sign())));
        }

        /** RFC 5280 §4.1.2.2: positive, at most 20 octets; the set 0x40 bit keeps it exactly 16. */
        private BigInteger serial() {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            bytes[0] = (byte) ((bytes[0] & 0x3f) | 0x40);
            return new BigInteger(1, bytes);
        }
    }

    private static X509Certificate parse(byte[] der) throws CertificateException {
        var factory = CertificateFactory.getInstance("X.509");
        return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
    }

    /** A distinguished name with a single CN, as UTF8String (RFC 5280 §4.1.2.6). */
    private static byte[] name(String commonName) {
        return sequence(set(sequence(oid(COMMON_NAME), utf8String(commonName))));
    }

    /**
     * RFC 7093 §2 method 4: the SHA-256 hash of the DER SubjectPublicKeyInfo. Any unique value is
     * allowed (RFC 5280 §4.2.1.2); this one needs no parsing of the key.
     */
    private static byte[] keyId(PublicKey key) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
    }

    /** X.690 §11.5: a DEFAULT FALSE critical flag must be left out, not written as FALSE. */
    private static byte[] extension(String id, boolean critical, byte[] value) {
        return critical
                ? sequence(oid(id), bool(true), octetString(value))
                : sequence(oid(id), octetString(value));
    }

    private static byte[] extendedKeyUsage(String purpose) {
        return extension(EXTENDED_KEY_USAGE, false, sequence(oid(purpose)));
    }

    /** dNSName [2] and iPAddress [7], both IMPLICIT (RFC 5280 §4.2.1.6). */
    private static byte[] localhostNames() {
        byte[] loopback = {127, 0, 0, 1};
        byte[] names = sequence(implicit(2, "localhost".getBytes(StandardCharsets.US_ASCII)), implicit(7, loopback));
        return extension(SUBJECT_ALT_NAME, false, names);
    }
}
