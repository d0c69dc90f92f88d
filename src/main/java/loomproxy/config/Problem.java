package loomproxy.config;

/**
 * One configuration error, printed as {@code FILE:LINE: KEY: message}: always one line, as the key
 * and the message may quote the file's text ({@link Printable}).
 */
public record Problem(Location where, String key, String message) {
    public Problem {
        key = Printable.escape(key);
        message = Printable.escape(message);
    }

    @Override
    public String toString() {
        return where + ": " + key + ": " + message;
    }
}
