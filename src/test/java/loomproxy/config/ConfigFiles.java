package loomproxy.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Writes configuration files for tests and reads back what the loader says about them. */
final class ConfigFiles {
    private final Path dir;

    ConfigFiles(Path dir) {
        this.dir = dir;
    }

    Path write(String... lines) {
        try {
            return Files.writeString(dir.resolve("loomproxy.properties"), String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ProxyConfig load(String... lines) throws ConfigException {
        return ConfigLoader.load(write(lines));
    }

    /** The exception's message line by line, as {@code --check} prints it, with this file's path written FILE. */
    List<String> output(String... lines) {
        Path file = write(lines);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        return e.getMessage().lines().map(l -> l.replace(file.toString(), "FILE")).toList();
    }

    /** Every problem as {@code LINE: KEY: message}, after checking each names this file. */
    List<String> errors(String... lines) {
        Path file = write(lines);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        e.problems().forEach(p -> assertEquals(file, p.where().file()));
        return e.problems().stream().map(p -> p.where().line() + ": " + p.key() + ": " + p.message()).toList();
    }
}
