package loomproxy.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import loomproxy.config.TlsConfig;

/**
 * What a server block's TLS was made from: its settings and the content of every file they name
 * (certificate, key, passphrases, trusted bundle, CRLs), each as a SHA-256 digest. Two equal
 * fingerprints mean an SSLContext made from one serves for the other — a reload keeps the context
 * and its session cache — and a changed one is how certificate rotation notices a new file even
 * when its modification time says nothing (SPEC §7: content, not only mtime).
 */
public record TlsFiles(TlsConfig config, Map<Path, String> digests) {
    public TlsFiles {
        digests = Map.copyOf(digests);
    }

    /** Reads every file {@code config} names now; an unreadable one is recorded as such, not thrown. */
    public static TlsFiles of(TlsConfig config) {
        Map<Path, String> digests = new LinkedHashMap<>();
        Stream.of(config.certificate(), config.certificateKey(), config.passwordFile(), config.trustedCertificate(),
                        config.crl())
                .flatMap(Optional::stream)
                .forEach(file -> digests.put(file, digest(file)));
        return new TlsFiles(config, digests);
    }

    private static String digest(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            return "unreadable: " + e.getClass().getSimpleName();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK must provide SHA-256", e);
        }
    }
}
