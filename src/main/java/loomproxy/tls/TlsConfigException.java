package loomproxy.tls;

import loomproxy.config.Printable;

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

    /** A configuration value in double quotes, as messages show it: escaped by {@link Printable}. */
    static String quote(String value) {
        return '"' + Printable.escape(value) + '"';
    }
}
