package loomproxy.tls;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SslConfCommandsTest {
    private static final List<String> JDK = List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");

    @Test
    void nothingSaidNothingSet() throws TlsConfigException {
        assertEquals(new SslConfCommands.Parsed(Optional.empty(), Optional.empty()), SslConfCommands.parse(List.of(), JDK));
    }

    @Test
    void ciphersuitesKeepTheirOrder() throws TlsConfigException {
        var parsed = SslConfCommands.parse(
                List.of("Ciphersuites TLS_CHACHA20_POLY1305_SHA256: TLS_AES_256_GCM_SHA384 ::TLS_AES_256_GCM_SHA384"), JDK);
        assertEquals(Optional.of(List.of("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_256_GCM_SHA384")), parsed.tls13Suites());
        assertEquals(Optional.empty(), parsed.namedGroups());
    }

    @Test
    void emptyCiphersuitesTurnTls13SuitesOff() throws TlsConfigException {
        assertEquals(Optional.of(List.of()), SslConfCommands.parse(List.of("Ciphersuites"), JDK).tls13Suites());
    }

    @Test
    void commandNamesIgnoreCaseAndTheLastOneWins() throws TlsConfigException {
        var parsed = SslConfCommands.parse(List.of("ciphersuites TLS_AES_128_GCM_SHA256",
                "CIPHERSUITES TLS_AES_256_GCM_SHA384", "curves X448", "groups P-521"), JDK);
        assertEquals(Optional.of(List.of("TLS_AES_256_GCM_SHA384")), parsed.tls13Suites());
        assertEquals(Optional.of(List.of("secp521r1")), parsed.namedGroups());
    }

    @Test
    void unknownSuiteIsNamedWithTheSupportedOnes() {
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> SslConfCommands.parse(List.of("Ciphersuites TLS_AES_128_CCM_SHA256"), JDK));
        assertEquals("proxy_ssl_conf_command \"Ciphersuites TLS_AES_128_CCM_SHA256\": TLS_AES_128_CCM_SHA256 is not a"
                + " TLS 1.3 cipher suite this JDK supports; use TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256,"
                + " TLS_CHACHA20_POLY1305_SHA256", e.getMessage());
    }

    @Test
    void tls12SuiteBelongsInProxySslCiphers() {
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> SslConfCommands.parse(
                List.of("Ciphersuites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), JDK));
        assertEquals("proxy_ssl_conf_command \"Ciphersuites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\":"
                + " TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is a TLS 1.2 suite; put it in proxy_ssl_ciphers; use"
                + " TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256", e.getMessage());
    }

    @Test
    void groupsMapOpensslNamesToJsseNames() throws TlsConfigException {
        var parsed = SslConfCommands.parse(List.of("Groups X25519:P-256: secp384r1 :x448:P-521:ffdhe2048:ffdhe8192"), JDK);
        assertEquals(Optional.of(List.of("x25519", "secp256r1", "secp384r1", "x448", "secp521r1", "ffdhe2048", "ffdhe8192")),
                parsed.namedGroups());
        assertEquals(Optional.of(List.of("secp256r1")),
                SslConfCommands.parse(List.of("Curves prime256v1"), JDK).namedGroups());
    }

    @Test
    void unknownGroupIsNamedWithTheSupportedOnes() {
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> SslConfCommands.parse(List.of("Groups X25519:brainpoolP256r1"), JDK));
        assertEquals("proxy_ssl_conf_command \"Groups X25519:brainpoolP256r1\": unknown group brainpoolP256r1; use one"
                + " or more of X25519, X448, P-256 (prime256v1, secp256r1), P-384 (secp384r1), P-521 (secp521r1),"
                + " ffdhe2048 ... ffdhe8192, separated by ':'", e.getMessage());
    }

    @Test
    void groupsRefuseEmptyItemsAndRepeats() {
        TlsConfigException empty = assertThrows(TlsConfigException.class,
                () -> SslConfCommands.parse(List.of("Groups X25519:"), JDK));
        assertEquals(true, empty.getMessage().contains(": an empty group name;"), empty.getMessage());
        TlsConfigException twice = assertThrows(TlsConfigException.class,
                () -> SslConfCommands.parse(List.of("Groups P-256:prime256v1"), JDK));
        assertEquals("proxy_ssl_conf_command \"Groups P-256:prime256v1\": group prime256v1 is listed twice",
                twice.getMessage());
    }

    @Test
    void unsupportedCommandListsTheSupportedOnes() {
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> SslConfCommands.parse(List.of("Options -SessionTicket"), JDK));
        assertEquals("proxy_ssl_conf_command \"Options -SessionTicket\": unsupported command Options; loomproxy"
                + " supports Ciphersuites, Groups and Curves (an alias of Groups)", e.getMessage());
    }

    @Test
    void emptyCommandSaysWhatToWrite() {
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> SslConfCommands.parse(List.of(" "), JDK));
        assertEquals("proxy_ssl_conf_command is empty; write a command and its value, e.g."
                + " \"Ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256\"", e.getMessage());
    }

    @Test
    void protocolCommandsPointToTheirDirective() {
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> SslConfCommands.parse(List.of("MinProtocol TLSv1.3"), JDK));
        assertEquals("proxy_ssl_conf_command \"MinProtocol TLSv1.3\": set this with proxy_ssl_protocols instead",
                e.getMessage());
    }

    /**
     * Found by SslConfCommandsFuzzTest: a line break from the configuration file's \n escape went into the
     * message as it was, in the command and in an item, splitting one error over two lines.
     */
    @Test
    void controlCharactersAreEscapedInTheMessage() {
        TlsConfigException command = assertThrows(TlsConfigException.class, () -> SslConfCommands.parse(List.of("g\n2"), JDK));
        assertEquals("proxy_ssl_conf_command \"g\\n2\": unsupported command g; loomproxy supports Ciphersuites, Groups"
                + " and Curves (an alias of Groups)", command.getMessage());
        TlsConfigException item = assertThrows(TlsConfigException.class,
                () -> SslConfCommands.parse(List.of("Groups X25519\u2028P-256"), JDK));
        assertEquals(true, item.getMessage().startsWith("proxy_ssl_conf_command \"Groups X25519\\u2028P-256\": unknown group"
                + " X25519\\u2028P-256;"), item.getMessage());
    }
}
