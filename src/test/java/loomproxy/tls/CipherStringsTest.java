package loomproxy.tls;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour beyond what `openssl ciphers` can tell: our extensions, error messages and log names. */
class CipherStringsTest {
    private static final List<String> ALL = Arrays.stream(CipherSuite.values()).map(Enum::name).toList();

    @Test
    void acceptsJsseNamesInTheirOrder() throws TlsConfigException {
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
                CipherStrings.select("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", ALL));
    }

    @Test
    void acceptsIanaAndJsseSpellingOfSslSuites() throws TlsConfigException {
        assertEquals(List.of("SSL_RSA_WITH_NULL_SHA"), CipherStrings.select("TLS_RSA_WITH_NULL_SHA", ALL));
        assertEquals(List.of("SSL_RSA_WITH_NULL_MD5"), CipherStrings.select("SSL_RSA_WITH_NULL_MD5", ALL));
    }

    @Test
    void killsByJsseName() throws TlsConfigException {
        List<String> high = CipherStrings.select("HIGH:!TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", ALL);
        assertFalse(high.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assertTrue(high.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
    }

    @Test
    void everySeparatorWorksAlike() throws TlsConfigException {
        assertEquals(CipherStrings.select("ECDHE+AESGCM:CHACHA20:kRSA", ALL),
                CipherStrings.select("ECDHE+AESGCM, CHACHA20;kRSA", ALL));
    }

    @Test
    void limitsToAvailableSuitesKeepingOrder() throws TlsConfigException {
        List<String> available = List.of("TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
                CipherStrings.select("ALL", available));
    }

    @Test
    void nothingSelectedNamesTheString() {
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> CipherStrings.select("FOO:!BAR", ALL));
        assertEquals("cipher string \"FOO:!BAR\" selects no cipher suite; use e.g. \"HIGH:!aNULL:!MD5\""
                + " (`openssl ciphers -v STRING` shows a selection)", e.getMessage());
    }

    @Test
    void onlyDisabledSuitesSelectedSaysSo() {
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> CipherStrings.select("kRSA", List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")));
        assertTrue(e.getMessage().startsWith("cipher string \"kRSA\" selects only suites this JDK does not enable"
                + " (AES256-GCM-SHA384, AES128-GCM-SHA256, AES256-SHA256, ...)"), e.getMessage());
    }

    @Test
    void badCharacterIsAnErrorWithItsPosition() {
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> CipherStrings.select("HIGH:#foo", ALL));
        assertTrue(e.getMessage().startsWith("cipher string \"HIGH:#foo\": unexpected '#' at position 6;"), e.getMessage());
    }

    @Test
    void positionCountsFromTheWholeStringAfterDefault() {
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> CipherStrings.select("DEFAULT:!kRSA%", ALL));
        assertTrue(e.getMessage().contains("unexpected '%' at position 14"), e.getMessage());
    }

    @Test
    void danglingOperatorIsAnError() {
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> CipherStrings.select("HIGH:!", ALL));
        assertTrue(e.getMessage().contains("'!' at the end is not followed by a name"), e.getMessage());
    }

    /**
     * Found by CipherStringsFuzzTest: the configuration file's \r and \n escapes put a line break into the
     * cipher string, and the message carried it, splitting one error over two lines.
     */
    @Test
    void controlCharactersAreEscapedInTheMessage() {
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> CipherStrings.select("\r", ALL));
        assertEquals("cipher string \"\\r\": unexpected '\\r' at position 1; names are letters, digits, '-', '.' and '=',"
                + " separated by ':'", e.getMessage());
    }

    @Test
    void commands() throws TlsConfigException {
        assertEquals(CipherStrings.select("HIGH", ALL), CipherStrings.select("HIGH:@SECLEVEL=2", ALL));
        TlsConfigException level = assertThrows(TlsConfigException.class, () -> CipherStrings.select("HIGH:@SECLEVEL=6", ALL));
        assertTrue(level.getMessage().contains("unknown command @SECLEVEL=6"), level.getMessage());
        TlsConfigException bogus = assertThrows(TlsConfigException.class, () -> CipherStrings.select("HIGH:@FOO", ALL));
        assertTrue(bogus.getMessage().contains("unknown command @FOO"), bogus.getMessage());
    }

    @Test
    void suiteBIsRefused() {
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> CipherStrings.select("SUITEB128", ALL));
        assertTrue(e.getMessage().contains("Suite B modes are not supported"), e.getMessage());
    }

    @Test
    void opensslNames() {
        assertEquals("ECDHE-RSA-AES128-GCM-SHA256", CipherStrings.opensslName("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assertEquals("ECDHE-ECDSA-CHACHA20-POLY1305",
                CipherStrings.opensslName("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
        assertEquals("AES128-SHA", CipherStrings.opensslName("TLS_RSA_WITH_AES_128_CBC_SHA"));
        assertEquals("ADH-AES256-GCM-SHA384", CipherStrings.opensslName("TLS_DH_anon_WITH_AES_256_GCM_SHA384"));
        assertEquals("NULL-MD5", CipherStrings.opensslName("SSL_RSA_WITH_NULL_MD5"));
        assertEquals("TLS_AES_256_GCM_SHA384", CipherStrings.opensslName("TLS_AES_256_GCM_SHA384"));
        assertEquals("SSL_RSA_WITH_3DES_EDE_CBC_SHA", CipherStrings.opensslName("SSL_RSA_WITH_3DES_EDE_CBC_SHA"));
    }
}
