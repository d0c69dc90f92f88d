package loomproxy.config;

/** Where a key of the file belongs: {@code KEY} (top level), {@code server.NAME.KEY}, or a named definition. */
sealed interface Key {
    Directive<?> directive();

    Setting setting();

    record Top(Directive<?> directive, Setting setting) implements Key {}

    record Server(String block, Directive<?> directive, Setting setting) implements Key {}

    /** {@code upstream.NAME} or {@code log_format.NAME}: a named definition of its own. */
    record Named(String name, Directive<?> directive, Setting setting) implements Key {}
}
