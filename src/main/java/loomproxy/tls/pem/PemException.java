package loomproxy.tls.pem;

/**
 * A PEM file, key or passphrase that cannot be used: a one-line message naming the file and what to
 * do about it (never key material). The caller attributes it to the directive's {@code FILE:LINE}.
 */
public final class PemException extends Exception {
    public PemException(String message) {
        super(message);
    }

    public PemException(String message, Throwable cause) {
        super(message, cause);
    }
}
