package loomproxy.tls.pem;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import loomproxy.config.Printable;

/**
 * proxy_ssl_certificate_key: the first private key of a PEM file in any encoding OpenSSL writes
 * (PKCS#8, encrypted PKCS#8, PKCS#1 RSA, SEC1 EC, and the legacy encrypted forms of the last two),
 * and the check that it belongs to proxy_ssl_certificate, as NGINX's SSL_CTX_check_private_key.
 */
public final class PrivateKeys {
    private static final Set<String> LABELS = Set.of("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY");
    private static final byte[] PROBE = "loomproxy key/certificate match probe".getBytes(StandardCharsets.US_ASCII);

    private PrivateKeys() {}

    /** Reads the first private key in a PEM file. passphrases may be empty. */
    public static PrivateKey read(Path file, List<char[]> passphrases) throws PemException {
        return read(Printable.escape(file.toString()), PemFiles.read(file), passphrases);
    }

    /** {@link #read(Path, List)} of bytes already read; {@code name} names them in messages. */
    static PrivateKey read(String name, byte[] content, List<char[]> passphrases) throws PemException {
        Pem.Entry block = firstKey(name, PemFiles.blocks(name, content));
        byte[] der = block.encrypted() ? PrivateKeyDecryption.legacy(name, block, passphrases) : block.der();
        byte[] pkcs8 = switch (block.label()) {
            case "ENCRYPTED PRIVATE KEY" -> PrivateKeyDecryption.pkcs8(name, der, passphrases);
            case "RSA PRIVATE KEY" -> PrivateKeyInfo.fromPkcs1(name, der);
            case "EC PRIVATE KEY" -> PrivateKeyInfo.fromSec1(name, der);
            default -> der; // PRIVATE KEY: already PKCS#8
        };
        return PrivateKeyInfo.toKey(name, pkcs8);
    }

    /**
     * True when the key is the private half of the certificate's public key (sign a probe, verify
     * with the cert); a PemException when the JDK cannot even try (a signature it lacks, parameters it
     * refuses), so the operator reads why instead of a stack trace.
     */
    public static boolean matches(PrivateKey key, X509Certificate certificate) throws PemException {
        Optional<String> algorithm = signatureAlgorithm(key);
        if (algorithm.isEmpty()) {
            return false;
        }
        Optional<AlgorithmParameterSpec> parameters = parameters(key);
        try {
            byte[] signature = sign(key, algorithm.get(), parameters);
            return verify(certificate.getPublicKey(), algorithm.get(), signature, parameters);
        } catch (InvalidKeyException | SignatureException e) {
            // The certificate holds a key of another type, curve or size: a mismatch, not a fault.
            return false;
        } catch (GeneralSecurityException e) {
            throw new PemException("cannot check that the key matches its certificate: this JDK cannot sign with "
                    + algorithm.get() + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /**
     * The first block labelled as a private key; EC PARAMETERS blocks (openssl ecparam -genkey)
     * and certificates in a combined file are skipped, as OpenSSL's PEM_read_bio_PrivateKey does.
     */
    private static Pem.Entry firstKey(String file, List<Pem.Entry> blocks) throws PemException {
        for (Pem.Entry block : blocks) {
            if (LABELS.contains(block.label())) {
                return block;
            }
            if (block.label().endsWith("PRIVATE KEY")) {
                throw new PemException(String.format("%s: %s is a key format loomproxy cannot read: "
                        + "convert it with openssl pkcs8 -topk8", file, block.where()));
            }
        }
        boolean certificate = blocks.stream().anyMatch(block -> block.label().endsWith("CERTIFICATE"));
        throw new PemException(file + " has no PEM private key" + PemFiles.found(blocks) + ": "
                + (certificate ? "give the key file, not the certificate" : "give a file with a -----BEGIN PRIVATE KEY----- block"));
    }

    /** A signature the key can make and its certificate can check, or empty for a key that cannot sign (XDH, DH). */
    private static Optional<String> signatureAlgorithm(PrivateKey key) {
        return Optional.ofNullable(switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        });
    }

    /**
     * RSASSA-PSS needs explicit parameters: the key's own when it is restricted to some (RFC 4055
     * section 3.1, openssl genpkey -pkeyopt rsa_pss_keygen_md), else SHA-256 with MGF1-SHA-256.
     */
    private static Optional<AlgorithmParameterSpec> parameters(PrivateKey key) {
        if (!key.getAlgorithm().equals("RSASSA-PSS")) {
            return Optional.empty();
        }
        AlgorithmParameterSpec own = key instanceof RSAKey rsa ? rsa.getParams() : null;
        return Optional.of(own != null ? own
                : new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, PSSParameterSpec.TRAILER_FIELD_BC));
    }

    private static byte[] sign(PrivateKey key, String algorithm, Optional<AlgorithmParameterSpec> parameters)
            throws GeneralSecurityException {
        Signature signer = Signature.getInstance(algorithm);
        if (parameters.isPresent()) {
            signer.setParameter(parameters.get());
        }
        signer.initSign(key);
        signer.update(PROBE);
        return signer.sign();
    }

    private static boolean verify(PublicKey publicKey, String algorithm, byte[] signature,
                                  Optional<AlgorithmParameterSpec> parameters) throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(algorithm);
        if (parameters.isPresent()) {
            verifier.setParameter(parameters.get());
        }
        verifier.initVerify(publicKey);
        verifier.update(PROBE);
        return verifier.verify(signature);
    }
}
