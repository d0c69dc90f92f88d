package loomproxy.tls.pem;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import loomproxy.testkit.Ca;
import loomproxy.testkit.Fuzz;
import loomproxy.testkit.Issued;
import loomproxy.testkit.Shrink;
import loomproxy.testkit.TestPki;
import loomproxy.tls.der.Der;
import loomproxy.tls.der.DerMutations;
import loomproxy.tls.der.DerWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the PEM reader and the certificate, CRL and passphrase files built on it:
 * every mutated file is read or refused with a one-line PemException naming it, never anything else.
 * Seeds are what users feed proxy_ssl_trusted_certificate and proxy_ssl_crl: chains, CRLs, openssl's
 * text dumps, TRUSTED CERTIFICATE blocks, and key files in the wrong place.
 */
class PemFuzzTest {
    private static final int INPUTS = 10_000;
    private static final String TOO_DEEP = "constructed elements nested more than 30 deep, which OpenSSL refuses too";
    private static final long SEED = 0x5EED_0001L;
    /** Every 50th input goes through a real file too; writing one costs milliseconds on some disks. */
    private static final int FROM_FILES = 50;

    @TempDir static Path pki;
    private static final List<String> seeds = new ArrayList<>();

    @TempDir Path dir;

    @BeforeAll
    static void makeSeeds() throws IOException {
        TestPki testPki = TestPki.in(pki);
        Ca root = testPki.root("root");
        Ca intermediate = root.intermediate("intermediate");
        Issued server = intermediate.newServer("server").dns("a.example", "*.b.example").ip("127.0.0.1").rsa().issue();
        root.revoke(intermediate.cert());
        for (Path file : List.of(server.certPem(), server.chainPem(), server.keyPem(), root.cert().certPem(), root.crl().pem())) {
            seeds.add(Files.readString(file, ISO_8859_1));
        }
        seeds.add(testPki.openssl("x509", "-in", server.certPem().toString(), "-text"));
        seeds.add(testPki.openssl("x509", "-in", root.cert().certPem().toString(), "-trustout", "-addtrust", "serverAuth"));
        seeds.add("Bag Attributes\r\n    friendlyName: server\r\n" + seeds.get(0).replace("\n", "\r\n") + seeds.get(4));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMutatedFileIsReadOrRefusedWithOneLineNamingIt() throws IOException {
        Path file = dir.resolve("fuzz.pem");
        String name = file.toString();
        var parse = new Fuzz<>("Pem.parse", PemException.class, Shrink.BYTES);
        var certificates = new Fuzz<>("PemFiles.certificates", PemException.class, Shrink.BYTES);
        var crls = new Fuzz<>("PemFiles.crls", PemException.class, Shrink.BYTES);
        var passphrases = new Fuzz<>("PemFiles.passphrases", PemException.class, Shrink.BYTES);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < INPUTS; i++) {
            byte[] input = PemMutations.mutate(random, seeds.get(random.nextInt(seeds.size())), seeds.get(random.nextInt(seeds.size())));
            parse.check(input, name, bytes -> Pem.parse(name, new String(bytes, ISO_8859_1)));
            if (i % FROM_FILES == 0) {
                certificates.check(input, name, bytes -> PemFiles.certificates(Files.write(file, bytes)));
                crls.check(input, name, bytes -> PemFiles.crls(Files.write(file, bytes)));
                passphrases.check(input, name, bytes -> PemFiles.passphrases(Files.write(file, bytes)));
            } else {
                certificates.check(input, name, bytes -> PemFiles.certificates(name, bytes));
                crls.check(input, name, bytes -> PemFiles.crls(name, bytes));
                passphrases.check(input, name, bytes -> PemFiles.passphrases(name, bytes.clone()));
            }
        }
        for (var fuzz : List.of(parse, certificates, crls, passphrases)) {
            fuzz.report();
            fuzz.requireAtLeast(INPUTS, INPUTS / 20);
        }
    }

    /**
     * Found by this fuzzer once its oracle counted every line break (\R), not only \n and \r: a BEGIN line
     * whose label is a vertical tab went into the message as it was, and a log reader sees two lines.
     */
    @Test
    void aLabelWithALineBreakIsEscapedInTheMessage() {
        byte[] input = "-----BEGIN \u000b-----\n".getBytes(ISO_8859_1);
        PrivateKeysTest.assertMessage("vt.pem: PEM \\u000B at line 1 has no \"-----END \\u000B-----\" line",
                () -> PemFiles.certificates("vt.pem", input));
    }

    /**
     * Found probing the JDK for the nesting mutations: a CERTIFICATE or X509 CRL block of nested
     * indefinite-length SEQUENCEs ("30 80" twenty thousand times) made JDK 17's X509Factory throw
     * StackOverflowError (JDK 25 refuses it itself). And found by this fuzzer: 30,000 of them closed properly
     * inside a definite-length certificate took over a second, in the JDK's conversion of indefinite lengths,
     * quadratic in the depth; these 200,000 took half a minute. Refused before the JDK sees them now, as
     * OpenSSL refuses nesting over 30 levels.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void nestedIndefiniteLengthsAreRefusedBeforeTheJdkConvertsThem() {
        byte[] open = Arrays.copyOf(DerMutations.wrap(new byte[0], 20_000, true), 40_000);
        PrivateKeysTest.assertMessage("deep.pem: certificate 1 is not valid DER (" + TOO_DEEP + ")",
                () -> PemFiles.certificates("deep.pem", pem("CERTIFICATE", open)));
        PrivateKeysTest.assertMessage("deep.pem: CRL 1 is not valid DER (" + TOO_DEEP + ")",
                () -> PemFiles.crls("deep.pem", pem("X509 CRL", open)));
        byte[] closed = DerWriter.sequence(DerWriter.sequence(DerWriter.integer(BigInteger.TWO)),
                DerMutations.wrap(DerWriter.nul(), 200_000, true));
        PrivateKeysTest.assertMessage("deep.pem: certificate 1 is not valid DER (" + TOO_DEEP + ")",
                () -> PemFiles.certificates("deep.pem", pem("CERTIFICATE", closed)));
    }

    /**
     * Found by this fuzzer: the server certificate with 30,000 nested indefinite-length SEQUENCEs in its
     * subjectAltName value took over a second to load, in the JDK's conversion of indefinite lengths, which
     * is quadratic in the depth; likewise in its RSA public key. The JDK parses the DER inside both as it
     * loads the certificate, so their nesting is refused too now.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void nestedIndefiniteLengthsInsideExtensionsAndKeysAreRefused() throws Exception {
        byte[] nested = DerMutations.wrap(DerWriter.nul(), 200_000, true);
        byte[] server = Pem.parse("server.pem", seeds.get(0)).get(0).der();
        byte[] san = replaceInTbs(server, 0xA3, DerWriter.explicit(3, DerWriter.sequence(
                DerWriter.sequence(DerWriter.oid("2.5.29.17"), DerWriter.octetString(nested)))));
        PrivateKeysTest.assertMessage("san.pem: certificate 1 is not valid DER (" + TOO_DEEP + ")",
                () -> PemFiles.certificates("san.pem", pem("CERTIFICATE", san)));
        byte[] rsaKey = replaceInTbs(server, Der.SEQUENCE, DerWriter.sequence(DerWriter.sequence(
                DerWriter.oid("1.2.840.113549.1.1.1"), DerWriter.nul()), DerWriter.bitString(nested)));
        PrivateKeysTest.assertMessage("key.pem: certificate 1 is not valid DER (" + TOO_DEEP + ")",
                () -> PemFiles.certificates("key.pem", pem("CERTIFICATE", rsaKey)));
    }

    /** The certificate with the last tbsCertificate field of this tag replaced (the signature no longer fits). */
    private static byte[] replaceInTbs(byte[] certificate, int tag, byte[] field) throws Der.Malformed {
        List<Der.Value> parts = Der.read(certificate).elements();
        List<Der.Value> tbs = parts.get(0).elements();
        int last = tbs.stream().map(Der.Value::tag).toList().lastIndexOf(tag);
        byte[][] fields = new byte[tbs.size()][];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = i == last ? field : tbs.get(i).encoded();
        }
        return DerWriter.sequence(DerWriter.sequence(fields), parts.get(1).encoded(), parts.get(2).encoded());
    }

    private static byte[] pem(String label, byte[] der) {
        return ("-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + label
                + "-----\n").getBytes(ISO_8859_1);
    }
}
