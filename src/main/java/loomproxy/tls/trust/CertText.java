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

    /**
     * An IPv4 (4 bytes) or IPv6 (16 bytes) address as the JDK prints them ({@code 192.0.2.1},
     * {@code 2001:db8:0:0:0:0:0:1}); an IPv4-mapped IPv6 address stays IPv6 ({@code 0:0:0:0:0:ffff:c000:201}),
     * which InetAddress would turn into IPv4.
     */
    static String ip(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i + 1 < address.length; i += 2) {
            text.append(i == 0 ? "" : ":").append(Integer.toHexString((address[i] & 0xFF) << 8 | (address[i + 1] & 0xFF)));
        }
        return text.toString();
    }

    /** The serial number in hex, as {@code openssl x509 -serial} and CRL listings print it. */
    static String serial(X509Certificate cert) {
        return cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    }
}
