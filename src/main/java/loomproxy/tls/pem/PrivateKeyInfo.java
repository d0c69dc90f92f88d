package loomproxy.tls.pem;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Map;
import loomproxy.config.Printable;
import loomproxy.tls.der.Der;
import loomproxy.tls.der.DerWriter;

/**
 * The PKCS#8 {@code PrivateKeyInfo} (RFC 5208 section 5), the only private key encoding the JDK's
 * KeyFactory reads: built here from PKCS#1 and SEC1 keys, then checked for an algorithm and curve a
 * TLS client can sign with before the JDK turns it into a {@link PrivateKey}.
 */
final class PrivateKeyInfo {
    private static final String RSA = "1.2.840.113549.1.1.1";
    private static final String EC = "1.2.840.10045.2.1";

    /** Key algorithm OID to the JDK KeyFactory that reads it. */
    private static final Map<String, String> KEY_FACTORIES = Map.of(
            RSA, "RSA",
            "1.2.840.113549.1.1.10", "RSASSA-PSS",
            EC, "EC",
            "1.3.101.112", "Ed25519",
            "1.3.101.113", "Ed448",
            "1.2.840.10040.4.1", "DSA");

    /** Key algorithms that exist but cannot sign a TLS CertificateVerify with the JDK. */
    private static final Map<String, String> UNUSABLE = Map.of(
            "1.3.101.110", "X25519",
            "1.3.101.111", "X448",
            "1.2.840.113549.1.3.1", "DH",
            "1.2.840.10046.2.1", "X9.42 DH",
            "1.2.156.10197.1.301", "SM2");

    /**
     * Only these curves: since JDK 16 (JDK-8251547) SunEC implements ECDSA on nothing else, and they
     * are the only curves of the TLS 1.3 ECDSA signature schemes (RFC 8446 section 4.2.3).
     */
    private static final Map<String, String> SUPPORTED_CURVES = Map.of(
            "1.2.840.10045.3.1.7", "prime256v1",
            "1.3.132.0.34", "secp384r1",
            "1.3.132.0.35", "secp521r1");

    private static final Map<String, String> OTHER_CURVES = Map.of(
            "1.3.132.0.10", "secp256k1",
            "1.2.840.10045.3.1.1", "prime192v1",
            "1.3.132.0.33", "secp224r1",
            "1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1",
            "1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1",
            "1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1",
            "1.2.156.10197.1.301", "SM2");

    private PrivateKeyInfo() {}

    /** Wraps an RFC 8017 (PKCS#1) RSAPrivateKey, with the NULL parameters RFC 3279 section 2.3.1 requires. */
    static byte[] fromPkcs1(String file, byte[] pkcs1) throws PemException {
        try {
            Der.read(pkcs1).expect(Der.SEQUENCE, "RSAPrivateKey");
        } catch (Der.Malformed e) {
            throw notDer(file, "RSA PRIVATE KEY", e);
        }
        return wrap(DerWriter.sequence(DerWriter.oid(RSA), DerWriter.nul()), pkcs1);
    }

    /**
     * Wraps an RFC 5915 (SEC1) ECPrivateKey. The curve moves from the key's {@code [0] parameters}
     * into the id-ecPublicKey AlgorithmIdentifier, where PKCS#8 readers look for it.
     */
    static byte[] fromSec1(String file, byte[] sec1) throws PemException {
        try {
            for (Der.Value field : Der.read(sec1).expect(Der.SEQUENCE, "ECPrivateKey").elements()) {
                if (field.tag() == Der.CONTEXT_0) {
                    byte[] curve = Der.read(field.content()).encoded();
                    return wrap(DerWriter.sequence(DerWriter.oid(EC), curve), sec1);
                }
            }
        } catch (Der.Malformed e) {
            throw notDer(file, "EC PRIVATE KEY", e);
        }
        throw new PemException(file + ": EC PRIVATE KEY names no curve (no [0] parameters): "
                + "convert it with openssl pkcs8 -topk8 -nocrypt");
    }

    /** The JCA key of a PKCS#8 PrivateKeyInfo, after checking its algorithm and curve. */
    static PrivateKey toKey(String file, byte[] pkcs8) throws PemException {
        String factory;
        try {
            Der.checkNesting(pkcs8);
            Der.Value algorithm = Der.read(pkcs8).expect(Der.SEQUENCE, "PrivateKeyInfo")
                    .element(1, Der.SEQUENCE, "AlgorithmIdentifier");
            factory = keyFactory(file, algorithm.element(0, Der.OID, "the algorithm OID").oid());
            if (factory.equals("EC")) {
                checkCurve(file, algorithm.elements());
            }
        } catch (Der.Malformed e) {
            throw notDer(file, "PRIVATE KEY", e);
        }
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(factory).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new PemException(String.format("%s: the JDK rejects this %s key (%s): check the key file",
                    file, factory, PemFiles.oneLine(e)), e);
        }
        checkPssSaltLength(file, key);
        return key;
    }

    /**
     * An RSASSA-PSS key restricted to a salt length must leave room for it: RFC 8017 section 9.1.1 needs
     * emLen >= hLen + sLen + 2. The JDK's KeyFactory takes any salt length, and its RSAPSSSignature adds
     * them with Math.addExact, so a length near 2^31 made the key/certificate check throw ArithmeticException.
     */
    private static void checkPssSaltLength(String file, PrivateKey key) throws PemException {
        if (key instanceof RSAKey rsa && rsa.getParams() instanceof PSSParameterSpec pss) {
            int bits = rsa.getModulus().bitLength();
            int room;
            try {
                room = (bits - 1 + 7) / 8 - MessageDigest.getInstance(pss.getDigestAlgorithm()).getDigestLength() - 2;
            } catch (NoSuchAlgorithmException e) {
                throw new PemException(String.format("%s: this RSASSA-PSS key names digest %s, which the JDK lacks: "
                        + "check the key file", file, Printable.escape(pss.getDigestAlgorithm())), e);
            }
            if (pss.getSaltLength() > room) {
                throw new PemException(String.format("%s: this RSASSA-PSS key's salt length %d does not fit its %d-bit "
                        + "modulus with %s (RFC 8017 section 9.1.1): check the key file", file, pss.getSaltLength(), bits,
                        pss.getDigestAlgorithm()));
            }
        }
    }

    private static byte[] wrap(byte[] algorithmIdentifier, byte[] privateKey) {
        return DerWriter.sequence(DerWriter.integer(BigInteger.ZERO), algorithmIdentifier, DerWriter.octetString(privateKey));
    }

    private static String keyFactory(String file, String oid) throws PemException {
        String factory = KEY_FACTORIES.get(oid);
        if (factory == null) {
            throw new PemException(String.format("%s: unsupported key algorithm %s: "
                    + "use an RSA, EC (P-256, P-384, P-521), Ed25519 or Ed448 key", file, named(UNUSABLE, oid)));
        }
        return factory;
    }

    private static void checkCurve(String file, List<Der.Value> algorithm) throws Der.Malformed, PemException {
        if (algorithm.size() < 2) {
            throw new PemException(file + ": the EC key names no curve: convert it with openssl pkcs8 -topk8 -nocrypt");
        }
        Der.Value parameters = algorithm.get(1);
        if (parameters.tag() != Der.OID) {
            throw new PemException(file + ": the EC key spells its curve out as explicit parameters, which the "
                    + "JDK cannot use: convert it with openssl ec -param_enc named_curve");
        }
        String oid = parameters.oid();
        if (!SUPPORTED_CURVES.containsKey(oid)) {
            throw new PemException(String.format("%s: unsupported EC curve %s: the JDK signs only with "
                    + "prime256v1 (P-256), secp384r1 (P-384) or secp521r1 (P-521)", file, named(OTHER_CURVES, oid)));
        }
    }

    /** "X25519 (OID 1.3.101.110)" when the OID is known, else "OID 1.2.3.4". */
    private static String named(Map<String, String> names, String oid) {
        String name = names.get(oid);
        return name == null ? "OID " + oid : name + " (OID " + oid + ")";
    }

    private static PemException notDer(String file, String label, Exception e) {
        return new PemException(String.format("%s: %s is not valid DER (%s): export the key again",
                file, label, PemFiles.oneLine(e)), e);
    }
}
