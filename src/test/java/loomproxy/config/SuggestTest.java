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

    /** A key with a word left short, or written the NGINX server-side way (ssl_*), names the whole key. */
    @Test
    void shortenedKeysNameTheKeyWithTheFewestOtherWords() {
        assertEquals(Optional.of("proxy_ssl_certificate_key"), Suggest.nearest("proxy_ssl_key", NAMES));
        assertEquals(Optional.of("proxy_ssl_certificate"), Suggest.nearest("proxy_ssl_cert", NAMES));
        assertEquals(Optional.of("proxy_ssl_password_file"), Suggest.nearest("proxy_ssl_password", NAMES));
        assertEquals(Optional.of("proxy_ssl_protocols"), Suggest.nearest("ssl_protocols", NAMES));
        assertEquals(Optional.of("proxy_ssl_ciphers"), Suggest.nearest("ssl_ciphers", NAMES));
        assertEquals(Optional.of("proxy_ssl_verify_depth"), Suggest.nearest("ssl_verify_depth", NAMES));
    }

    @Test
    void oneWordReplacedByOneWithTheSameFirstLetter() {
        assertEquals(Optional.of("proxy_ssl_trusted_certificate"), Suggest.nearest("proxy_ssl_trusted_ca", NAMES));
        assertEquals(Optional.empty(), Suggest.nearest("proxy_ssl_certificate_cache", NAMES));
        assertEquals(Optional.empty(), Suggest.nearest("proxy_banana", NAMES));
    }

    @Test
    void twoLettersSwappedAreOneEdit() {
        assertEquals(1, Suggest.distance("mian", "main"));
        assertEquals(Optional.of("main"), Suggest.nearest("mian", List.of("main", "backup")));
    }

    @Test
    void farOffWordsGetNoSuggestion() {
        assertEquals(Optional.empty(), Suggest.nearest("foo", NAMES));
        assertEquals(Optional.empty(), Suggest.nearest("completely_unrelated", NAMES));
    }
}
