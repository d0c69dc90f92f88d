package loomproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/** PEM text in and out of files, for the test PKI only (the proxy has its own reader). */
final class Pem {
    private Pem() {}

    static String encode(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    static String certificates(List<X509Certificate> certs) {
        StringBuilder text = new StringBuilder();
        for (X509Certificate cert : certs) {
            try {
                text.append(encode("CERTIFICATE", cert.getEncoded()));
            } catch (CertificateException e) {
                throw new IllegalStateException("cannot encode " + cert.getSubjectX500Principal(), e);
            }
        }
        return text.toString();
    }

    static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static X509Certificate readCertificate(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertificateException e) {
            throw new IllegalStateException("openssl wrote an unreadable certificate " + file, e);
        }
    }

    /** An unencrypted PKCS#8 key ("BEGIN PRIVATE KEY"), as openssl genpkey writes it. */
    static PrivateKey readPrivateKey(Path file, String algorithm) {
        try {
            String base64 = Files.readString(file, StandardCharsets.US_ASCII).replaceAll("-----[^-]+-----|\\s", "");
            byte[] der = Base64.getDecoder().decode(base64);
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("openssl wrote an unreadable " + algorithm + " key " + file, e);
        }
    }

    static X509CRL readCrl(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertificateException | CRLException e) {
            throw new IllegalStateException("openssl wrote an unreadable CRL " + file, e);
        }
    }
}
