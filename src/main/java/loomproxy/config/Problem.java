package loomproxy.config;

/** One configuration error, printed as {@code FILE:LINE: KEY: message}. */
public record Problem(Location where, String key, String message) {
    @Override
    public String toString() {
        return where + ": " + key + ": " + message;
    }
}
