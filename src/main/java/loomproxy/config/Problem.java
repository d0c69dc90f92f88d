package loomproxy.config;

import java.nio.file.Path;

/**
 * One configuration error, printed as {@code FILE:LINE: KEY: message}: always one line, as the key
 * and the message may quote the file's text ({@link Printable}). A problem with the whole file (it
 * cannot be read, it has no server block) has no line and no key, and prints as {@code FILE: message}.
 */
public record Problem(Location where, String key, String message) {
    public Problem {
        key = Printable.escape(key);
        message = Printable.escape(message);
    }

    /** A problem with the file as a whole: line 0, no key. */
    static Problem ofFile(Path file, String message) {
        return new Problem(new Location(file, 0), "", message);
    }

    boolean wholeFile() {
        return where.line() == 0 && key.isEmpty();
    }

    @Override
    public String toString() {
        return wholeFile() ? Printable.escape(where.file().toString()) + ": " + message : where + ": " + key + ": " + message;
    }
}
