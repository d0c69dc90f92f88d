package loomproxy.tls.pem;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import loomproxy.config.Printable;

/**
 * OpenSSL's legacy PEM encryption of a traditional key, as written by {@code openssl rsa -traditional
 * -aes256} or {@code openssl ec -aes256}: the RFC 1421 headers {@code Proc-Type: 4,ENCRYPTED} and
 * {@code DEK-Info: CIPHER,IV}, and a CBC key derived from the passphrase with EVP_BytesToKey.
 *
 * @param name      the DEK-Info cipher name, for messages
 * @param algorithm the JCA cipher algorithm
 * @param keyLength the cipher key length in bytes
 * @param iv        the IV from DEK-Info, whose first 8 bytes are also the key derivation salt
 */
record PemEncryption(String name, String algorithm, int keyLength, byte[] iv) {
    /** The DEK-Info ciphers OpenSSL's {@code rsa}, {@code ec} and {@code pkey} commands write: key and IV lengths. */
    private static final Map<String, Spec> CIPHERS = Map.of(
            "AES-128-CBC", new Spec("AES", 16, 16),
            "AES-192-CBC", new Spec("AES", 24, 16),
            "AES-256-CBC", new Spec("AES", 32, 16),
            "DES-EDE3-CBC", new Spec("DESede", 24, 8),
            "DES-CBC", new Spec("DES", 8, 8));
    private static final int SALT_LENGTH = 8;

    private record Spec(String algorithm, int keyLength, int ivLength) {}

    /** The encryption a block's DEK-Info header names; the block must be {@link Pem.Entry#encrypted()}. */
    static PemEncryption of(String file, Pem.Entry block) throws PemException {
        String dekInfo = block.headers().getOrDefault("DEK-Info", "");
        int comma = dekInfo.indexOf(',');
        if (comma < 0) {
            throw new PemException(String.format("%s: %s is marked ENCRYPTED but has no valid DEK-Info header: "
                    + "export the key again", file, block.where()));
        }
        String name = dekInfo.substring(0, comma).strip().toUpperCase(Locale.ROOT);
        Spec cipher = CIPHERS.get(name);
        if (cipher == null) {
            throw new PemException(String.format("%s: %s is encrypted with %s, which loomproxy cannot decrypt: "
                    + "re-encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc", file, block.where(), Printable.escape(name)));
        }
        String hex = dekInfo.substring(comma + 1).strip();
        if (hex.length() != 2 * cipher.ivLength() || !hex.chars().allMatch(HexFormat::isHexDigit)) {
            throw new PemException(String.format("%s: %s has a DEK-Info IV that is not %d hex bytes: "
                    + "export the key again", file, block.where(), cipher.ivLength()));
        }
        return new PemEncryption(name, cipher.algorithm(), cipher.keyLength(), HexFormat.of().parseHex(hex));
    }

    /** A cipher ready to decrypt with the key this passphrase derives. */
    Cipher decryptor(char[] passphrase) throws GeneralSecurityException {
        byte[] key = bytesToKey(passphrase, Arrays.copyOf(iv, SALT_LENGTH), keyLength);
        try {
            Cipher cipher = Cipher.getInstance(algorithm + "/CBC/PKCS5Padding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, algorithm), new IvParameterSpec(iv));
            return cipher;
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * OpenSSL's EVP_BytesToKey with MD5 and one iteration, as PEM_do_header calls it:
     * D_i = MD5(D_(i-1) || passphrase || salt), concatenated until the key is long enough.
     * OpenSSL hashes the passphrase's bytes as typed, which is UTF-8 on today's systems.
     */
    static byte[] bytesToKey(char[] passphrase, byte[] salt, int keyLength) throws GeneralSecurityException {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
        byte[] secret = Arrays.copyOf(encoded.array(), encoded.limit());
        Arrays.fill(encoded.array(), (byte) 0);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        byte[] key = new byte[keyLength];
        byte[] block = new byte[0];
        for (int filled = 0; filled < keyLength; filled += block.length) {
            md5.update(block);
            md5.update(secret);
            block = md5.digest(salt);
            System.arraycopy(block, 0, key, filled, Math.min(block.length, keyLength - filled));
        }
        Arrays.fill(secret, (byte) 0);
        return key;
    }
}
