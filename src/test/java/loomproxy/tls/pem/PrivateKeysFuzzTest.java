package loomproxy.tls.pem;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import loomproxy.testkit.Fuzz;
import loomproxy.testkit.OpenSsl;
import loomproxy.testkit.Shrink;
import loomproxy.tls.der.Der;
import loomproxy.tls.der.DerMutations;
import loomproxy.tls.der.DerWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of proxy_ssl_certificate_key reading: every key format openssl writes, with
 * and without passphrases, mutated in its PEM text, headers and DER. Every input gives a key (which
 * {@link PrivateKeys#matches} then checks against a certificate without failing, as TlsSetup does) or
 * a one-line PemException that names the file and never shows a passphrase.
 *
 * <p>The encrypted seeds use one PBKDF2 iteration (openssl -iter 1) so that a mutation reaching key
 * derivation costs microseconds; one seed keeps openssl's default count, as users' files have it.
 */
class PrivateKeysFuzzTest {
    private static final int INPUTS = 12_000;
    private static final long SEED = 0x5EED_0002L;
    /** Every 50th input goes through a real file too; writing one costs milliseconds on some disks. */
    private static final int FROM_FILES = 50;
    private static final String RIGHT = "s3cret-Pass";
    private static final String WRONG = "wr0ng-Pass";
    private static final List<List<char[]>> PASSPHRASES = List.of(List.of(), List.of(RIGHT.toCharArray()),
            List.of(WRONG.toCharArray(), RIGHT.toCharArray()), List.of(WRONG.toCharArray()), List.of(RIGHT.toCharArray()));

    /** A key file and the certificate of the same key. */
    private record KeySeed(String text, X509Certificate certificate) {}

    @TempDir static Path pki;
    private static final List<KeySeed> seeds = new ArrayList<>();

    @TempDir Path dir;

    @BeforeAll
    static void makeSeeds() throws Exception {
        OpenSsl.run(pki, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.key");
        OpenSsl.ecKey(pki, "ec.key", "P-256");
        X509Certificate rsa = certificate("rsa.key");
        X509Certificate ec = certificate("ec.key");
        String pass = "pass:" + RIGHT;
        seed(rsa, "rsa.key");
        seed(ec, "ec.key");
        seed(rsa, "rsa", "-in", "rsa.key", "-traditional", "-out", "pkcs1.key");
        seed(ec, "ec", "-in", "ec.key", "-out", "sec1.key");
        seed(rsa, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-iter", "1", "-in", "rsa.key", "-passout", pass, "-out", "p8-aes256.key");
        seed(ec, "pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1", "-iter", "1", "-in", "ec.key",
                "-passout", pass, "-out", "p8-aes128.key");
        seed(ec, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "ec.key", "-passout", pass, "-out", "p8-default.key");
        seed(ec, "pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-iter", "1", "-in", "ec.key", "-passout", pass, "-out", "p12-3des.key");
        seed(ec, "pkcs8", "-topk8", "-v1", "PBE-MD5-DES", "-iter", "1", "-provider", "legacy", "-provider", "default",
                "-in", "ec.key", "-passout", pass, "-out", "pbes1.key");
        seed(rsa, "rsa", "-in", "rsa.key", "-traditional", "-aes256", "-passout", pass, "-out", "legacy-aes.key");
        seed(rsa, "rsa", "-in", "rsa.key", "-traditional", "-des3", "-passout", pass, "-out", "legacy-3des.key");
        seed(ec, "ec", "-in", "ec.key", "-aes128", "-passout", pass, "-out", "legacy-ec-aes.key");
        seed(ec, "ec", "-in", "ec.key", "-des3", "-passout", pass, "-out", "legacy-ec-3des.key");
        seed(ec, "ecparam", "-name", "secp384r1", "-genkey", "-out", "p384.key");
        seed(ec, "genpkey", "-algorithm", "ed25519", "-out", "ed25519.key");
        OpenSsl.run(pki, "genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:1024", "-pkeyopt",
                "rsa_pss_keygen_md:sha256", "-pkeyopt", "rsa_pss_keygen_mgf1_md:sha256", "-pkeyopt", "rsa_pss_keygen_saltlen:32",
                "-out", "pss.key");
        seed(certificate("pss.key"), "pss.key");
    }

    private static X509Certificate certificate(String key) throws PemException {
        return PemFiles.certificates(OpenSsl.selfSigned(pki, key, key + ".crt", key)).get(0);
    }

    /** Runs openssl when args are given; the last one names the file it writes. */
    private static void seed(X509Certificate certificate, String... args) throws IOException {
        if (args.length > 1) {
            OpenSsl.run(pki, args);
        }
        seeds.add(new KeySeed(Files.readString(pki.resolve(args[args.length - 1]), ISO_8859_1), certificate));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMutatedKeyIsReadOrRefusedWithOneLineNamingIt() {
        Path file = dir.resolve("fuzz.key");
        String name = file.toString();
        var read = new Fuzz<>("PrivateKeys.read", PemException.class, Shrink.BYTES);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < INPUTS; i++) {
            KeySeed seed = seeds.get(random.nextInt(seeds.size()));
            byte[] input = PemMutations.mutate(random, seed.text(), seeds.get(random.nextInt(seeds.size())).text());
            List<char[]> passphrases = PASSPHRASES.get(random.nextInt(PASSPHRASES.size()));
            Path through = i % FROM_FILES == 0 ? file : null;
            read.check(input, name, bytes -> readAndMatch(through, name, bytes, passphrases, seed.certificate()));
        }
        read.report();
        read.requireAtLeast(INPUTS, INPUTS / 20);
    }

    /** Reads the bytes in memory, or through {@code file} when it is not null. */
    private static void readAndMatch(Path file, String name, byte[] bytes, List<char[]> passphrases,
                                     X509Certificate certificate) throws IOException, PemException {
        try {
            PrivateKey key = file == null ? PrivateKeys.read(name, bytes, passphrases)
                    : PrivateKeys.read(Files.write(file, bytes), passphrases);
            PrivateKeys.matches(key, certificate);
        } catch (PemException e) {
            Fuzz.require(!e.getMessage().contains(RIGHT) && !e.getMessage().contains(WRONG), "shows a passphrase: " + e);
            throw e;
        }
    }

    /**
     * Found by the fuzzer: an EC PRIVATE KEY whose curve OID was one 31,000-octet subidentifier took two
     * seconds to refuse (decoding was quadratic in the arc's length); this one, three times as long, took
     * 4.5 s and put a 240,000-digit OID in the message. Refused at once now, as the JDK refuses OIDs over
     * 4096 octets.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesAHugeCurveOidAtOnce() {
        byte[] arc = new byte[100_000];
        Arrays.fill(arc, (byte) 0xFF);
        arc[arc.length - 1] = 0x01;
        byte[] sec1 = DerWriter.sequence(DerWriter.integer(BigInteger.ONE), DerWriter.octetString(new byte[32]),
                DerWriter.explicit(0, DerWriter.tlv(Der.OID, arc)));
        String pem = "-----BEGIN EC PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(sec1)
                + "\n-----END EC PRIVATE KEY-----\n";
        PrivateKeysTest.assertMessage("huge.key: PRIVATE KEY is not valid DER (OBJECT IDENTIFIER of 100000 octets",
                () -> PrivateKeys.read("huge.key", pem.getBytes(ISO_8859_1), List.of()));
    }

    /**
     * Found while writing the fuzzer, whose INTEGER mutations include 2^31 - 1 but seldom put it on the
     * iteration count: PBKDF2 ran all 2^31 - 1 iterations for each passphrase before "does not decrypt",
     * hours of CPU at startup. Refused at once now, above the JDK key stores' own limit.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesAnIterationCountThatWouldRunForHours() {
        byte[] pbkdf2 = DerWriter.sequence(DerWriter.oid("1.2.840.113549.1.5.12"), DerWriter.sequence(
                DerWriter.octetString(new byte[8]), DerWriter.integer(BigInteger.valueOf(Integer.MAX_VALUE)),
                DerWriter.sequence(DerWriter.oid("1.2.840.113549.2.9"), DerWriter.nul())));
        byte[] aes256 = DerWriter.sequence(DerWriter.oid("2.16.840.1.101.3.4.1.42"), DerWriter.octetString(new byte[16]));
        byte[] epki = DerWriter.sequence(DerWriter.sequence(DerWriter.oid("1.2.840.113549.1.5.13"),
                DerWriter.sequence(pbkdf2, aes256)), DerWriter.octetString(new byte[48]));
        String pem = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(epki)
                + "\n-----END ENCRYPTED PRIVATE KEY-----\n";
        PrivateKeysTest.assertMessage("slow.key: ENCRYPTED PRIVATE KEY asks for 2147483647 key derivation iterations, "
                + "more than the 5000000 the JDK's key stores allow: re-encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc",
                () -> PrivateKeys.read("slow.key", pem.getBytes(ISO_8859_1), List.of(RIGHT.toCharArray())));
    }

    /**
     * Found by the fuzzer (its INTEGER mutation 2^31 - 1 on the saltLength of an RSASSA-PSS key restricted by
     * openssl genpkey -pkeyopt rsa_pss_keygen_saltlen:32): the key was read, and the key/certificate check
     * then threw ArithmeticException from the JDK's RSAPSSSignature. The key is refused when read now.
     */
    @Test
    void refusesAPssKeyWhoseSaltLengthCannotFit() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        byte[] pkcs1 = Der.read(generator.generateKeyPair().getPrivate().getEncoded()).elements().get(2).content();
        byte[] sha256 = DerWriter.sequence(DerWriter.oid("2.16.840.1.101.3.4.2.1"), DerWriter.nul());
        byte[] pssParameters = DerWriter.sequence(DerWriter.explicit(0, sha256),
                DerWriter.explicit(1, DerWriter.sequence(DerWriter.oid("1.2.840.113549.1.1.8"), sha256)),
                DerWriter.explicit(2, DerWriter.integer(BigInteger.valueOf(Integer.MAX_VALUE))));
        byte[] pkcs8 = DerWriter.sequence(DerWriter.integer(BigInteger.ZERO),
                DerWriter.sequence(DerWriter.oid("1.2.840.113549.1.1.10"), pssParameters), DerWriter.octetString(pkcs1));
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n";
        PrivateKeysTest.assertMessage("pss.key: this RSASSA-PSS key's salt length 2147483647 does not fit its 1024-bit modulus"
                + " with SHA-256 (RFC 8017 section 9.1.1): check the key file",
                () -> PrivateKeys.read("pss.key", pem.getBytes(ISO_8859_1), List.of()));
    }

    /**
     * Found by the fuzzer: a PRIVATE KEY whose EC privateKey held 30,000 nested indefinite-length SEQUENCEs,
     * closed properly (BER), took two seconds to refuse, in the JDK's conversion of indefinite lengths, which
     * is quadratic in the depth; an ENCRYPTED PRIVATE KEY made of them likewise. These, 200,000 deep, took half
     * a minute each. Refused before the JDK sees them now, as OpenSSL refuses nesting over 30 levels.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesNestedIndefiniteLengthsBeforeTheJdkConvertsThem() {
        byte[] nested = DerMutations.wrap(DerWriter.nul(), 200_000, true);
        byte[] pkcs8 = DerWriter.sequence(DerWriter.integer(BigInteger.ZERO), DerWriter.sequence(
                DerWriter.oid("1.2.840.10045.2.1"), DerWriter.oid("1.2.840.10045.3.1.7")), DerWriter.octetString(nested));
        PrivateKeysTest.assertMessage("deep.key: PRIVATE KEY is not valid DER (constructed elements nested more than 30 deep",
                () -> PrivateKeys.read("deep.key", pem("PRIVATE KEY", pkcs8), List.of()));
        PrivateKeysTest.assertMessage("deep.key: ENCRYPTED PRIVATE KEY is not valid DER (constructed elements nested more than 30 deep",
                () -> PrivateKeys.read("deep.key", pem("ENCRYPTED PRIVATE KEY", nested),
                List.of(RIGHT.toCharArray())));
    }

    private static byte[] pem(String label, byte[] der) {
        return ("-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + label
                + "-----\n").getBytes(ISO_8859_1);
    }
}
