package loomproxy.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code access_log = stdout main}, {@code access_log = /path/access.log NAME} or {@code off}.
 * {@code file} empty = stdout. {@code format} is the resolved format text (the built-in {@code main}
 * or a {@code log_format.NAME}), with NGINX {@code $variables}.
 */
public record AccessLogConfig(boolean enabled, Optional<Path> file, String formatName, String format) {}
