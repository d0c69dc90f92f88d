package loomproxy.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;

/**
 * The benchmarks' PKI: the demo's in-memory CA (DemoPki, so the benchmarks exercise the same EC P-256
 * certificates a user sees in {@code --demo}), written to a folder as the files each side reads.
 * The proxy reads PEM as a user's configuration would; the upstream, a separate JVM, reads PKCS#12.
 */
public final class BenchPki {
    /** Password of both PKCS#12 files; they live in a temporary folder for one benchmark run. */
    public static final String PASSWORD = "bench";
    public static final String CA = "ca.pem";
    public static final String CLIENT_CERTIFICATE = "client.pem";
    public static final String CLIENT_KEY = "client.key";
    /** The upstream's key and chain (server, CA) under the alias "server". */
    public static final String UPSTREAM_KEYS = "upstream-keys.p12";
    /** The CA the upstream requires client certificates from. */
    public static final String UPSTREAM_TRUST = "upstream-trust.p12";

    private BenchPki() {
    }

    /** Creates a fresh CA, server and client certificate and writes the five files into {@code dir}. */
    public static void write(Path dir) throws IOException, GeneralSecurityException {
        DemoPki pki = DemoPki.create();
        Files.writeString(dir.resolve(CA), DemoPki.pem(pki.ca()));
        Files.writeString(dir.resolve(CLIENT_CERTIFICATE), DemoPki.pem(pki.client().certificate()));
        Files.writeString(dir.resolve(CLIENT_KEY), DemoPki.pem(pki.client().key()));
        char[] password = PASSWORD.toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", pki.server().key(), password,
                new Certificate[] {pki.server().certificate(), pki.ca()});
        store(keys, dir.resolve(UPSTREAM_KEYS));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.ca());
        store(trust, dir.resolve(UPSTREAM_TRUST));
    }

    private static void store(KeyStore store, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
    }
}
