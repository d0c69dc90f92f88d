package loomproxy.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract of {@link CipherStrings#select}: the same suites, in the same order, as
 * {@code openssl ciphers -stdname STRING} (OpenSSL 3.0), restricted to the TLS 1.2-and-older suites
 * available; where OpenSSL selects none of them (or rejects the string), a {@link TlsConfigException}.
 * Each string is checked twice: against the suites this JDK enables by default, and against every suite
 * in the table (a JDK whose jdk.tls.disabledAlgorithms allows RSA key exchange, anon and NULL suites).
 *
 * <p>OpenSSL quirks these strings pin down: "MEDIUM" and "LOW" select nothing in OpenSSL 3.0 (its MEDIUM
 * suites are 3DES/SEED/IDEA, compiled out or provider-less); "-ALL:+AES256" selects nothing ('-' and '+'
 * only act on what is already selected); "kRSA:DEFAULT" ignores DEFAULT (a keyword only at the start);
 * "HIGH+FIPS" is empty (the two strength classes exclude each other in a '+' combination);
 * "ECDHE-RSA-AES128-SHA+TLSv1.2" is empty while "+TLSv1" keeps it (the suite's own version counts).
 */
class CipherStringsOpenSslTest {
    private static List<String> jdkSuites;
    private static final List<String> TABLE = Arrays.stream(CipherSuite.values()).map(Enum::name).toList();

    @BeforeAll
    static void needsOpenssl() throws NoSuchAlgorithmException, InterruptedException {
        assumeTrue(opensslWorks(), "the openssl command is not installed");
        jdkSuites = List.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
            "DEFAULT", "ALL", "HIGH", "HIGH:!aNULL:!MD5", "MEDIUM", "LOW", "ECDHE+AESGCM", "ECDHE:!aECDSA",
            "AESGCM:CHACHA20", "kRSA", "aECDSA", "HIGH:!aNULL:!MD5:@STRENGTH",
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256", "-ALL:+AES256", "ALL:-SHA1:+AES128",
            "ECDHE:+AES128", "AES256:!SHA1", "DHE:!SHA", "HIGH:!aNULL:!MD5:!3DES:!CAMELLIA:!AES128",
            "ALL:COMPLEMENTOFALL", "COMPLEMENTOFDEFAULT", "eNULL", "aNULL:@STRENGTH", "ALL:+kRSA:+SHA1:@STRENGTH",
            "DEFAULT:!kRSA", "kRSA:DEFAULT", "DEFAULT:-ECDHE:ECDHE", "DEFAULT+kRSA", "TLSv1.2", "SSLv3:TLSv1", "FIPS",
            "CBC", "HIGH+FIPS", "ECDHE+AES128:DHE+AES256:!SHA384", "kRSA@STRENGTH", "ECDHE-RSA-AES128-SHA+TLSv1",
            "ECDHE-RSA-AES128-SHA+TLSv1.2", "EECDH+AESGCM:EDH+AESGCM", "AES128+EECDH:AES128+EDH",
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                    + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                    + "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
            "ALL:!ADH:!AECDH:@STRENGTH", "RSA:!COMPLEMENTOFDEFAULT", "SHA256:SHA384:SHA:MD5", "ALL:!kRSA+AES128",
            "kECDHE+aRSA+SHA1", "kRSA+kECDHE:AES128-SHA", "ALL:!EXPORT:!RC4:!kECDH:@SECLEVEL=0", "HIGH;MEDIUM,LOW kRSA",
            "ECDHE_RSA", "HIGH:#foo", "ALL:@STRENGTHX", "kRSA:!", "TLS_FOO:AES128-SHA", "ALL:-ECDHE:-AESGCM:ECDHE",
            "AESGCM+AES256:ECDHE+CHACHA20:ADH:@STRENGTH:-SHA384", "ALL:!DSS:+aNULL:-NULL-MD5", ""})
    void selectsWhatOpensslSelects(String cipherString) throws Exception {
        List<String> openssl = opensslCiphers(cipherString);
        assertMatches(cipherString, openssl, jdkSuites);
        assertMatches(cipherString, openssl, TABLE);
    }

    /** The table is OpenSSL's: names, attributes and order as `openssl ciphers -v` prints them. */
    @Test
    void tableAgreesWithOpenssl() throws Exception {
        Map<String, String[]> columns = run("ALL:COMPLEMENTOFALL").stream().map(l -> l.split("\\s+"))
                .collect(Collectors.toMap(c -> c[0], Function.identity()));
        List<String> high = opensslCiphers("HIGH");
        List<String> notDefault = opensslCiphers("COMPLEMENTOFDEFAULT");
        for (CipherSuite s : CipherSuite.values()) {
            String[] c = columns.get(s.ianaName());
            String expected = String.join(" ", s.openssl, since(s), "Kx=" + kx(s), "Au=" + au(s), "Enc=" + enc(s),
                    "Mac=" + s.mac, "HIGH=" + s.strength.contains(CipherSuite.Strength.HIGH), "DEFAULT=" + s.inDefault);
            String actual = String.join(" ", c[2], c[3], c[4], c[5], c[6], c[7], "HIGH=" + high.contains(c[0]),
                    "DEFAULT=" + !notDefault.contains(c[0]));
            assertEquals(expected, actual, s.name());
        }
        List<String> opensslOrder = opensslCiphers("ALL:COMPLEMENTOFALL").stream()
                .filter(n -> CipherSuite.byStandardName(n).isPresent()).toList();
        assertEquals(Arrays.stream(CipherSuite.values()).map(CipherSuite::ianaName).toList(), opensslOrder);
    }

    @Test
    void tableCoversEveryTls12SuiteThisJdkSupports() {
        List<String> missing = jdkSuites.stream().filter(n -> n.contains("_WITH_"))
                .filter(n -> CipherSuite.byStandardName(n).isEmpty()).toList();
        assertEquals(List.of(), missing);
    }

    private static void assertMatches(String cipherString, List<String> openssl, List<String> available) {
        Map<String, String> jsseByIana = available.stream()
                .collect(Collectors.toMap(n -> n.startsWith("SSL_") ? "TLS_" + n.substring(4) : n, n -> n));
        List<String> expected = openssl.stream().filter(jsseByIana::containsKey).map(jsseByIana::get).toList();
        if (expected.isEmpty()) {
            TlsConfigException e = assertThrows(TlsConfigException.class,
                    () -> CipherStrings.select(cipherString, available));
            assertTrue(e.getMessage().contains("\"" + cipherString + "\""), e.getMessage());
        } else {
            assertEquals(expected, assertDoesNotThrow(() -> CipherStrings.select(cipherString, available)));
        }
    }

    /** The IANA names OpenSSL selects, TLS 1.3 ones (always listed first) left out; empty when it refuses. */
    private static List<String> opensslCiphers(String cipherString) throws IOException, InterruptedException {
        return run(cipherString).stream().map(l -> l.split("\\s+"))
                .filter(c -> !c[3].equals("TLSv1.3")).map(c -> c[0]).toList();
    }

    private static List<String> run(String cipherString) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("openssl", "ciphers", "-v", "-stdname", cipherString)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl ciphers did not finish");
        return p.exitValue() == 0 ? out.lines().filter(l -> !l.isBlank()).toList() : List.of();
    }

    /** False only when the command cannot be started at all (no openssl on the PATH). */
    private static boolean opensslWorks() throws InterruptedException {
        try {
            run("ALL");
            return true;
        } catch (IOException notInstalled) {
            return false;
        }
    }

    private static String since(CipherSuite s) {
        return switch (s.since) {
            case SSL3 -> "SSLv3";
            case TLS1 -> "TLSv1";
            case TLS1_2 -> "TLSv1.2";
        };
    }

    private static String kx(CipherSuite s) {
        return switch (s.kx) {
            case DHE -> "DH";
            case ECDHE -> "ECDH";
            default -> s.kx.name();
        };
    }

    private static String au(CipherSuite s) {
        return s.au == CipherSuite.Au.NULL ? "None" : s.au.name();
    }

    private static String enc(CipherSuite s) {
        return switch (s.enc) {
            case AES128, AES256 -> "AES(" + s.enc.bits + ")";
            case AES128GCM, AES256GCM -> "AESGCM(" + s.enc.bits + ")";
            case CHACHA20POLY1305 -> "CHACHA20/POLY1305(256)";
            default -> "None";
        };
    }
}
