package loomproxy.tls.der;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import loomproxy.testkit.Fuzz;
import loomproxy.testkit.OpenSsl;
import loomproxy.testkit.Shrink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the DER reader itself: {@link Der#checkNesting}, {@link Der#read},
 * {@link Der#readAll} and every {@link Der.Value} accessor on mutated keys, certificates and hand-made edge cases. Each input is
 * read or refused with a one-line {@link Der.Malformed}; what is read must encode back to itself.
 */
class DerFuzzTest {
    private static final int INPUTS = 12_000;
    private static final long SEED = 0x5EED_0003L;
    /** Accessor calls per input: enough for a whole key, few enough that deep nesting stays cheap. */
    private static final int VALUES_PER_INPUT = 200;

    @TempDir static Path pki;
    private static final List<byte[]> seeds = new ArrayList<>();

    @BeforeAll
    static void makeSeeds() throws Exception {
        OpenSsl.run(pki, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.key");
        OpenSsl.ecKey(pki, "ec.key", "P-256");
        OpenSsl.run(pki, "rsa", "-in", "rsa.key", "-traditional", "-out", "pkcs1.key");
        OpenSsl.run(pki, "ec", "-in", "ec.key", "-out", "sec1.key");
        OpenSsl.run(pki, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-iter", "1", "-in", "ec.key", "-passout", "pass:x", "-out", "enc.key");
        OpenSsl.selfSigned(pki, "ec.key", "ec.crt", "ec");
        for (String file : List.of("rsa.key", "ec.key", "pkcs1.key", "sec1.key", "enc.key", "ec.crt")) {
            seeds.add(pemBody(Files.readString(pki.resolve(file))));
        }
        seeds.add(DerWriter.sequence(DerWriter.integer(BigInteger.ONE), DerWriter.oid("2.999.3"), DerWriter.nul(),
                DerWriter.explicit(0, DerWriter.oid("1.2.840.10045.3.1.7")), DerWriter.octetString(new byte[200])));
        seeds.add(DerMutations.wrap(DerWriter.oid("1.3.101.112"), 100, false));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMutatedDerIsReadOrRefusedWithOneLineAndReadsBackTheSame() {
        var der = new Fuzz<>("Der", Der.Malformed.class, Shrink.BYTES);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < INPUTS; i++) {
            byte[] input = DerMutations.mutate(random, seeds.get(random.nextInt(seeds.size())),
                    seeds.get(random.nextInt(seeds.size())));
            der.check(input, null, DerFuzzTest::readEverything);
        }
        der.report();
        der.requireAtLeast(INPUTS, INPUTS / 20);
    }

    /** checkNesting, readAll, then every accessor on up to VALUES_PER_INPUT elements breadth first; then read. */
    private static void readEverything(byte[] input) throws Der.Malformed {
        refusedInOneLine(() -> Der.checkNesting(input));
        Deque<Der.Value> values = new ArrayDeque<>(Der.readAll(input));
        for (int n = 0; n < VALUES_PER_INPUT && !values.isEmpty(); n++) {
            values.addAll(access(values.removeFirst()));
        }
        Der.read(input);
    }

    /** The accessors of one value; a Malformed from any of them must be one line, like the reader's. */
    private static List<Der.Value> access(Der.Value value) {
        readsBack(value);
        List<Der.Value> children = new ArrayList<>();
        refusedInOneLine(() -> Fuzz.require(dotted(value.oid()), "not a dotted OID: " + value.oid()));
        refusedInOneLine(() -> children.addAll(value.elements()));
        refusedInOneLine(() -> value.element(1, Der.SEQUENCE, "a SEQUENCE"));
        refusedInOneLine(() -> value.expect(Der.INTEGER, "an INTEGER"));
        return children;
    }

    /** encoded() is DER that reads back as the same tag and content. */
    /** Digits in two or more arcs, the first 0, 1 or 2 (no regex: a long OID overflows the regex engine's stack). */
    private static boolean dotted(String oid) {
        String[] arcs = oid.split("\\.", -1);
        return arcs.length >= 2 && arcs[0].matches("[012]")
                && Arrays.stream(arcs).allMatch(arc -> !arc.isEmpty() && arc.chars().allMatch(c -> c >= '0' && c <= '9'));
    }

    private static void readsBack(Der.Value value) {
        try {
            Der.Value again = Der.read(value.encoded());
            Fuzz.require(again.tag() == value.tag() && Arrays.equals(again.content(), value.content()),
                    "encoded() reads back differently: tag " + value.tag());
        } catch (Der.Malformed e) {
            throw new AssertionError("encoded() is not DER: " + e.getMessage(), e);
        }
    }

    private interface Access {
        void run() throws Der.Malformed;
    }

    private static void refusedInOneLine(Access access) {
        try {
            access.run();
        } catch (Der.Malformed e) {
            String message = String.valueOf(e.getMessage());
            Fuzz.require(!message.isEmpty() && message.indexOf('\n') < 0 && message.indexOf('\r') < 0,
                    "accessor message not one line: " + message);
        }
    }

    /** The DER of a one-block PEM file (what openssl wrote): the base64 between its BEGIN and END lines. */
    private static byte[] pemBody(String pem) {
        String body = pem.substring(pem.indexOf('\n', pem.indexOf("-----BEGIN")) + 1, pem.indexOf("-----END"));
        return java.util.Base64.getMimeDecoder().decode(body);
    }
}
