package loomproxy.tls;

/**
 * A TLS setting or file that cannot be used: a one-line message naming the file or value and what to
 * do about it (never key material). The caller attributes it to the directive's {@code FILE:LINE}.
 */
public final class TlsConfigException extends Exception {
    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
