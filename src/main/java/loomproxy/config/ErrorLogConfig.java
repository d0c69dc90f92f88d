package loomproxy.config;

import java.nio.file.Path;
import java.util.Optional;

/** {@code error_log = stderr info} or {@code error_log = /var/log/loomproxy/error.log warn}; empty file = stderr. */
public record ErrorLogConfig(Optional<Path> file, LogLevel level) {}
