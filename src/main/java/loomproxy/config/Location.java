package loomproxy.config;

import java.nio.file.Path;

/** Where a configuration value came from, printed the way compilers and NGINX print it: {@code FILE:LINE}. */
public record Location(Path file, int line) {
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
