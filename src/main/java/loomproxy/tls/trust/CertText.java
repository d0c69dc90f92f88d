package loomproxy.tls.trust;

import java.security.cert.X509Certificate;
import java.util.Locale;

/** How verification messages name certificates: one format for every reason. */
final class CertText {
    private CertText() {}

    /** The subject as RFC 2253 text, e.g. {@code CN=Int 1,O=Example}. */
    static String subject(X509Certificate cert) {
        return cert.getSubjectX500Principal().getName();
    }

    /** A trust anchor's subject marked as such, e.g. {@code CN=Partner CA (trust anchor)}. */
    static String anchor(X509Certificate cert) {
        return subject(cert) + " (trust anchor)";
    }

    /** The serial number in hex, as {@code openssl x509 -serial} and CRL listings print it. */
    static String serial(X509Certificate cert) {
        return cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    }
}
