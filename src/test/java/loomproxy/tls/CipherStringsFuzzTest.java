package loomproxy.tls;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

import loomproxy.testkit.Fuzz;
import loomproxy.testkit.Shrink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation fuzzing of proxy_ssl_ciphers: the cipher strings of the other tests and OpenSSL's
 * keywords, mutated token by token and character by character, selected from the JDK's real suites.
 * Every string selects a non-empty list of available suites without repeats, or is refused with a
 * one-line TlsConfigException.
 */
class CipherStringsFuzzTest {
    private static final int INPUTS = 12_000;
    private static final long SEED = 0x5EED_0004L;

    /** The strings of CipherStringsTest and CipherStringsOpenSslTest, and a few more operators. */
    static final List<String> SEEDS = List.of("DEFAULT", "ALL", "HIGH", "HIGH:!aNULL:!MD5", "MEDIUM", "LOW",
            "ECDHE+AESGCM", "ECDHE:!aECDSA", "AESGCM:CHACHA20", "kRSA", "aECDSA", "HIGH:!aNULL:!MD5:@STRENGTH",
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256", "-ALL:+AES256", "ALL:-SHA1:+AES128",
            "ECDHE:+AES128", "AES256:!SHA1", "DHE:!SHA", "HIGH:!aNULL:!MD5:!3DES:!CAMELLIA:!AES128",
            "ALL:COMPLEMENTOFALL", "COMPLEMENTOFDEFAULT", "eNULL", "aNULL:@STRENGTH", "ALL:+kRSA:+SHA1:@STRENGTH",
            "DEFAULT:!kRSA", "kRSA:DEFAULT", "DEFAULT:-ECDHE:ECDHE", "DEFAULT+kRSA", "TLSv1.2", "SSLv3:TLSv1", "FIPS",
            "CBC", "HIGH+FIPS", "ECDHE+AES128:DHE+AES256:!SHA384", "kRSA@STRENGTH", "ECDHE-RSA-AES128-SHA+TLSv1",
            "ECDHE-RSA-AES128-SHA+TLSv1.2", "EECDH+AESGCM:EDH+AESGCM", "AES128+EECDH:AES128+EDH",
            "ALL:!ADH:!AECDH:@STRENGTH", "RSA:!COMPLEMENTOFDEFAULT", "SHA256:SHA384:SHA:MD5", "ALL:!kRSA+AES128",
            "kECDHE+aRSA+SHA1", "kRSA+kECDHE:AES128-SHA", "ALL:!EXPORT:!RC4:!kECDH:@SECLEVEL=0", "HIGH;MEDIUM,LOW kRSA",
            "ECDHE_RSA", "HIGH:#foo", "ALL:@STRENGTHX", "kRSA:!", "TLS_FOO:AES128-SHA", "ALL:-ECDHE:-AESGCM:ECDHE",
            "AESGCM+AES256:ECDHE+CHACHA20:ADH:@STRENGTH:-SHA384", "ALL:!DSS:+aNULL:-NULL-MD5", "",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_NULL_SHA",
            "SSL_RSA_WITH_NULL_MD5", "HIGH:!TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE+AESGCM, CHACHA20;kRSA",
            "FOO:!BAR", "DEFAULT:!kRSA%", "HIGH:!", "HIGH:@SECLEVEL=2", "HIGH:@SECLEVEL=6", "HIGH:@FOO", "SUITEB128");

    private static final List<String> OTHER_WORDS = List.of("@STRENGTH", "@SECLEVEL=0", "@SECLEVEL=5", "@SECLEVEL=9",
            "@SECLEVEL=", "@SECLEVEL=-1", "@", "DEFAULT", "SUITEB128", "SUITEB192", "EXPORT", "RC4", "kECDH", "TLS_FOO",
            "SSL_", "TLS_AES_128_GCM_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "=", ".", "-");

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMutatedCipherStringSelectsAvailableSuitesOrIsRefusedInOneLine() throws GeneralSecurityException {
        List<String> available = jdkSuites();
        TokenMutations mutations = new TokenMutations(":, ;", List.of(":", ",", " ", ";", "::", ", ", "", ":\t"), vocabulary());
        var select = new Fuzz<>("CipherStrings.select", TlsConfigException.class, Shrink.STRINGS);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < INPUTS; i++) {
            String input = mutations.mutate(random, SEEDS.get(random.nextInt(SEEDS.size())));
            select.check(input, null, cipherString -> selectsAvailable(CipherStrings.select(cipherString, available), available));
        }
        select.report();
        select.requireAtLeast(INPUTS, INPUTS / 20);
    }

    private static void selectsAvailable(List<String> selected, List<String> available) {
        Fuzz.require(!selected.isEmpty() && available.containsAll(selected), "selects what is not available: " + selected);
        Fuzz.require(new HashSet<>(selected).size() == selected.size(), "selects a suite twice: " + selected);
    }

    /** OpenSSL keywords, every suite by its OpenSSL and its JSSE name, commands and words OpenSSL skips. */
    private static List<String> vocabulary() {
        List<String> words = new ArrayList<>(CipherSuite.KEYWORDS.keySet().stream().sorted().toList());
        Arrays.stream(CipherSuite.values()).forEach(suite -> words.addAll(List.of(suite.openssl, suite.name())));
        words.addAll(OTHER_WORDS);
        return words;
    }

    /** The JDK's supported suites, what TlsSetup selects from. */
    static List<String> jdkSuites() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        return Stream.of(context.getSupportedSSLParameters().getCipherSuites()).toList();
    }
}
