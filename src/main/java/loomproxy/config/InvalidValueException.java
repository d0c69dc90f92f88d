package loomproxy.config;

/**
 * A value that does not parse; the message is the part after {@code FILE:LINE: KEY: } and says what
 * form is expected. The loader turns it into a {@link Problem} at the setting's line.
 *
 * <p>It carries no stack trace: it is the user's mistake, never printed with one, and filling it in
 * was most of the time spent on a file with many bad lines (tens of microseconds each under a deep stack).
 */
final class InvalidValueException extends Exception {
    InvalidValueException(String message) {
        super(message, null, false, false);
    }
}
