package loomproxy.config;

/**
 * One {@code key = value} pair of the configuration file, escapes already decoded, with the line its
 * key starts on (a continued value keeps the first line, as a compiler reports a statement).
 */
record Setting(String key, String value, Location where) {}
