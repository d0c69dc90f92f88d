package loomproxy.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SuggestTest {
    private static final List<String> NAMES = Directive.ALL.stream().map(Directive::name).toList();

    @Test
    void distance() {
        assertEquals(0, Suggest.distance("abc", "abc"));
        assertEquals(3, Suggest.distance("kitten", "sitting"));
        assertEquals(4, Suggest.distance("", "abcd"));
    }

    @Test
    void nearestKnownKey() {
        assertEquals(Optional.of("proxy_ssl_verify"), Suggest.nearest("proxy_ssl_verfy", NAMES));
        assertEquals(Optional.of("proxy_ssl_verify_depth"), Suggest.nearest("proxy_ssl_verify_dept", NAMES));
        assertEquals(Optional.of("proxy_timeout"), Suggest.nearest("proxy_timout", NAMES));
        assertEquals(Optional.of("proxy_ssl"), Suggest.nearest("PROXY_SSL", NAMES));
        assertEquals(Optional.of("listen"), Suggest.nearest("lsten", NAMES));
    }

    @Test
    void farOffWordsGetNoSuggestion() {
        assertEquals(Optional.empty(), Suggest.nearest("foo", NAMES));
        assertEquals(Optional.empty(), Suggest.nearest("completely_unrelated", NAMES));
    }
}
