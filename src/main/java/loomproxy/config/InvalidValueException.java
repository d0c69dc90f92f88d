package loomproxy.config;

/**
 * A value that does not parse; the message is the part after {@code FILE:LINE: KEY: } and says what
 * form is expected. The loader turns it into a {@link Problem} at the setting's line.
 */
final class InvalidValueException extends Exception {
    InvalidValueException(String message) {
        super(message);
    }
}
