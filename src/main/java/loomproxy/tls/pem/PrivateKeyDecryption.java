package loomproxy.tls.pem;

import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.InvalidParameterSpecException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import loomproxy.tls.der.Der;

/**
 * Decrypts a private key with the passphrases of proxy_ssl_password_file, tried in order as NGINX
 * does. PKCS#8 {@code ENCRYPTED PRIVATE KEY} (RFC 5958 section 3, PBES2 of RFC 8018) is decrypted by
 * the JDK's own PBE ciphers; OpenSSL's legacy PEM encryption by {@link PemEncryption}.
 */
final class PrivateKeyDecryption {
    private static final String PBES2 = "1.2.840.113549.1.5.13";
    private static final String REENCRYPT = "re-encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc";
    /**
     * The most key-derivation iterations the JDK's own key stores accept (MAX_ITERATION_COUNT of
     * PKCS12KeyStore and KeyProtector); openssl writes 2048. Every passphrase runs them all before it
     * can fail, so a damaged count of 2^31 - 1 would hold startup for hours.
     */
    private static final int MAX_ITERATIONS = 5_000_000;

    /** OpenSSL's names for the PBES2 parts, to say precisely which one the JDK lacks. */
    private static final Map<String, String> NAMES = Map.of(
            PBES2, "PBES2",
            "1.2.840.113549.1.5.12", "PBKDF2",
            "1.3.6.1.4.1.11591.4.11", "scrypt",
            "2.16.840.1.101.3.4.1.2", "aes-128-cbc",
            "2.16.840.1.101.3.4.1.22", "aes-192-cbc",
            "2.16.840.1.101.3.4.1.42", "aes-256-cbc",
            "1.2.840.113549.3.7", "des-ede3-cbc",
            "1.3.14.3.2.7", "des-cbc",
            "1.2.840.113549.3.2", "rc2-cbc");

    private PrivateKeyDecryption() {}

    /** The cipher one passphrase gives: decrypting with it is the attempt. */
    @FunctionalInterface
    private interface Decryptor {
        Cipher with(char[] passphrase) throws GeneralSecurityException;
    }

    /** The PKCS#8 PrivateKeyInfo inside an {@code ENCRYPTED PRIVATE KEY} block. */
    static byte[] pkcs8(String file, byte[] der, List<char[]> passphrases) throws PemException {
        EncryptedPrivateKeyInfo info;
        String algorithm;
        try {
            Der.checkNesting(der);
        } catch (Der.Malformed e) {
            throw notDer(file, e);
        }
        try {
            info = new EncryptedPrivateKeyInfo(der);
            algorithm = cipherName(info);
            // Probe both now, so that a scheme the JDK lacks is reported as such, not as a wrong passphrase.
            Cipher.getInstance(algorithm);
            SecretKeyFactory.getInstance(algorithm);
        } catch (IOException | GeneralSecurityException e) {
            throw unsupported(file, der, e);
        }
        checkIterations(file, info.getAlgParameters());
        return decrypt(file, passphrases, info.getEncryptedData(), passphrase -> pbeCipher(info, algorithm, passphrase));
    }

    /** The DER inside a block with OpenSSL legacy encryption ({@code Proc-Type: 4,ENCRYPTED}). */
    static byte[] legacy(String file, Pem.Entry block, List<char[]> passphrases) throws PemException {
        PemEncryption encryption = PemEncryption.of(file, block);
        return decrypt(file, passphrases, block.der(), encryption::decryptor);
    }

    private static byte[] decrypt(String file, List<char[]> passphrases, byte[] ciphertext, Decryptor decryptor)
            throws PemException {
        if (passphrases.isEmpty()) {
            throw new PemException(file + " is encrypted: set proxy_ssl_password_file to a file with its passphrase");
        }
        for (char[] passphrase : passphrases) {
            try {
                Optional<byte[]> plaintext = derOrEmpty(decryptor.with(passphrase), ciphertext);
                if (plaintext.isPresent()) {
                    return plaintext.get();
                }
            } catch (GeneralSecurityException e) {
                throw new PemException(String.format("%s: cannot decrypt the key (%s): %s",
                        file, PemFiles.oneLine(e), REENCRYPT), e);
            }
        }
        throw new PemException(passphrases.size() == 1
                ? "the passphrase in proxy_ssl_password_file does not decrypt " + file
                : String.format("none of the %d passphrases in proxy_ssl_password_file decrypts %s", passphrases.size(), file));
    }

    /**
     * A wrong passphrase shows as bad padding, but about one time in 256 the padding happens to look
     * right, so the plaintext must also be one DER SEQUENCE before it counts as decrypted.
     */
    private static Optional<byte[]> derOrEmpty(Cipher cipher, byte[] ciphertext) throws GeneralSecurityException {
        byte[] plaintext;
        try {
            plaintext = cipher.doFinal(ciphertext);
        } catch (BadPaddingException wrongPassphrase) {
            return Optional.empty();
        }
        try {
            Der.read(plaintext).expect(Der.SEQUENCE, "a key");
            return Optional.of(plaintext);
        } catch (Der.Malformed wrongPassphrase) {
            Arrays.fill(plaintext, (byte) 0);
            return Optional.empty();
        }
    }

    /**
     * The JDK's Cipher name for the EPKI's algorithm. Older JDKs name PBES2 only by its scheme
     * ("PBES2" or the OID), which is no Cipher; its AlgorithmParameters then carry the full name
     * (e.g. PBEWithHmacSHA256AndAES_256), which newer JDKs return from getAlgName directly.
     */
    private static String cipherName(EncryptedPrivateKeyInfo info) {
        String name = info.getAlgName();
        AlgorithmParameters parameters = info.getAlgParameters();
        boolean pbes2 = name.equalsIgnoreCase("PBES2") || name.equals(PBES2);
        return pbes2 && parameters != null ? parameters.toString() : name;
    }

    private static void checkIterations(String file, AlgorithmParameters parameters) throws PemException {
        int iterations;
        try {
            iterations = parameters == null ? 0 : parameters.getParameterSpec(PBEParameterSpec.class).getIterationCount();
        } catch (InvalidParameterSpecException e) {
            return; // no password-based scheme, so no iterations: the cipher itself will refuse the key
        }
        if (iterations > MAX_ITERATIONS) {
            throw new PemException(String.format("%s: ENCRYPTED PRIVATE KEY asks for %d key derivation iterations, "
                    + "more than the %d the JDK's key stores allow: %s", file, iterations, MAX_ITERATIONS, REENCRYPT));
        }
    }

    private static Cipher pbeCipher(EncryptedPrivateKeyInfo info, String algorithm, char[] passphrase)
            throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(passphrase);
        try {
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, SecretKeyFactory.getInstance(algorithm).generateSecret(spec),
                    info.getAlgParameters());
            return cipher;
        } finally {
            spec.clearPassword();
        }
    }

    private static PemException unsupported(String file, byte[] der, Exception e) {
        try {
            return new PemException(String.format("%s: ENCRYPTED PRIVATE KEY uses %s, which the JDK cannot "
                    + "decrypt (%s): %s", file, describe(der), PemFiles.oneLine(e), REENCRYPT), e);
        } catch (Der.Malformed malformed) {
            return notDer(file, malformed);
        }
    }

    private static PemException notDer(String file, Der.Malformed e) {
        return new PemException(String.format("%s: ENCRYPTED PRIVATE KEY is not valid DER (%s): export the key again",
                file, e.getMessage()), e);
    }

    /** "PBES2 with scrypt and aes-256-cbc", or the scheme's name or OID when it is not PBES2. */
    private static String describe(byte[] der) throws Der.Malformed {
        Der.Value algorithm = Der.read(der).expect(Der.SEQUENCE, "EncryptedPrivateKeyInfo")
                .element(0, Der.SEQUENCE, "encryptionAlgorithm");
        String scheme = algorithm.element(0, Der.OID, "the encryption algorithm").oid();
        if (!scheme.equals(PBES2)) {
            return name(scheme);
        }
        Der.Value parameters = algorithm.element(1, Der.SEQUENCE, "PBES2-params");
        String kdf = parameters.element(0, Der.SEQUENCE, "keyDerivationFunc").element(0, Der.OID, "the KDF").oid();
        String cipher = parameters.element(1, Der.SEQUENCE, "encryptionScheme").element(0, Der.OID, "the cipher").oid();
        return "PBES2 with " + name(kdf) + " and " + name(cipher);
    }

    private static String name(String oid) {
        return NAMES.getOrDefault(oid, "OID " + oid);
    }
}
