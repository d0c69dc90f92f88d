package loomproxy.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A server block's active health check (SPEC §11), NGINX Plus's {@code health_check} with its
 * {@code match} block folded in: probe every server of the block's group every {@code interval};
 * {@code fails} failed probes in a row make a server unhealthy, {@code passes} good ones healthy
 * again. {@code timeout} empty means the block's {@code proxy_connect_timeout}; {@code port} empty
 * means each server's own port. {@code send} is written after the connect (and handshake), and
 * the reply must then match {@code expect}.
 */
public record HealthCheck(Duration interval, Optional<Duration> timeout, int fails, int passes, OptionalInt port,
                          Optional<String> send, Optional<Expect> expect) {

    /** Every default: {@code health_check = on}. */
    static final HealthCheck DEFAULTS = new HealthCheck(Duration.ofSeconds(5), Optional.empty(), 1, 1,
            OptionalInt.empty(), Optional.empty(), Optional.empty());

    /** The time each stage of a probe may take: {@code timeout}, else the block's proxy_connect_timeout. */
    public Duration timeoutOr(Duration connectTimeout) {
        return timeout.orElse(connectTimeout);
    }

    /**
     * What the reply must hold: {@code text} anywhere in it, or, for {@code ~REGEX}, a match of the
     * regular expression somewhere in it ({@link java.util.regex.Matcher#find()}). The reply is read
     * as UTF-8, as {@code send} is written.
     */
    public record Expect(String text, Pattern regex) {
        public boolean matches(CharSequence reply) {
            return regex != null ? regex.matcher(reply).find() : reply.toString().contains(text);
        }

        /** As written after {@code expect=}, for messages. */
        @Override
        public String toString() {
            return regex != null ? "~" + regex.pattern() : text;
        }

        // Pattern has identity equality; two checks with the same regex are the same check.
        @Override
        public boolean equals(Object o) {
            return o instanceof Expect e && Objects.equals(text, e.text)
                    && Objects.equals(regex == null ? null : regex.pattern(), e.regex == null ? null : e.regex.pattern());
        }

        @Override
        public int hashCode() {
            return Objects.hash(text, regex == null ? null : regex.pattern());
        }
    }
}
