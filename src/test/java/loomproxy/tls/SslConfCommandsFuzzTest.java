package loomproxy.tls;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import loomproxy.testkit.Fuzz;
import loomproxy.testkit.Shrink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation fuzzing of proxy_ssl_conf_command values: the commands of SslConfCommandsTest and
 * generated ones, mutated by token and character, one to three commands per input. Every input is
 * parsed into TLS 1.3 suites the JDK supports and known groups, or refused with a one-line message.
 */
class SslConfCommandsFuzzTest {
    private static final int INPUTS = 12_000;
    private static final long SEED = 0x5EED_0005L;
    /** Separates the commands of one input; no mutation writes it. */
    private static final String NEXT = "\u001E";

    private static final List<String> SEEDS = List.of(
            "Ciphersuites TLS_CHACHA20_POLY1305_SHA256: TLS_AES_256_GCM_SHA384 ::TLS_AES_256_GCM_SHA384", "Ciphersuites",
            "ciphersuites TLS_AES_128_GCM_SHA256", "CIPHERSUITES TLS_AES_256_GCM_SHA384", "curves X448", "groups P-521",
            "Ciphersuites TLS_AES_128_CCM_SHA256", "Ciphersuites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "Groups X25519:P-256: secp384r1 :x448:P-521:ffdhe2048:ffdhe8192", "Curves prime256v1",
            "Groups X25519:brainpoolP256r1", "Groups X25519:", "Groups P-256:prime256v1", "Options -SessionTicket", " ",
            "MinProtocol TLSv1.3", "CipherString HIGH", "PrivateKey key.pem");
    private static final List<String> WORDS = List.of("Ciphersuites", "Groups", "Curves", "MinProtocol", "MaxProtocol",
            "Protocol", "CipherString", "Certificate", "PrivateKey", "Options", "SignatureAlgorithms", "X25519", "x25519",
            "X448", "P-256", "P-384", "P-521", "prime256v1", "secp256r1", "secp384r1", "secp521r1", "ffdhe2048",
            "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192", "brainpoolP256r1", "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_", "_WITH_", "");

    private static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");
    /** One spelling per group: two spellings of one group are refused as a repeat. */
    private static final List<String> GROUPS = List.of("X25519", "x448", "P-256", "secp384r1", "P-521", "ffdhe2048",
            "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192");

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMutatedCommandIsParsedOrRefusedInOneLine() throws GeneralSecurityException {
        List<String> available = CipherStringsFuzzTest.jdkSuites();
        TokenMutations mutations = new TokenMutations(": \t", List.of(":", " ", " : ", "\t", "::", "", "\u3000", "\n"), WORDS);
        var parse = new Fuzz<>("SslConfCommands.parse", TlsConfigException.class, Shrink.STRINGS);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < INPUTS; i++) {
            List<String> commands = new ArrayList<>();
            for (int n = 1 + random.nextInt(random.nextInt(4) == 0 ? 3 : 1); n > 0; n--) {
                String seed = random.nextBoolean() ? SEEDS.get(random.nextInt(SEEDS.size())) : wellFormed(random);
                commands.add(random.nextInt(4) == 0 ? seed : mutations.mutate(random, seed));
            }
            parse.check(String.join(NEXT, commands), null, input -> parsesToAvailable(input, available));
        }
        parse.report();
        parse.requireAtLeast(INPUTS, INPUTS / 20);
    }

    /** A command as a user writes it: any spelling of a supported name, distinct items, blanks around them. */
    private static String wellFormed(SplittableRandom random) {
        boolean suites = random.nextBoolean();
        String name = suites ? "Ciphersuites" : random.nextBoolean() ? "Groups" : "Curves";
        List<String> items = new ArrayList<>(suites ? TLS13_SUITES : GROUPS);
        Collections.shuffle(items, new Random(random.nextLong()));
        List<String> chosen = items.subList(0, random.nextInt(items.size()) + (suites ? 0 : 1));
        String[] separators = {":", " : ", ":\t", ": "};
        return (random.nextBoolean() ? name : name.toUpperCase(Locale.ROOT)) + " ".repeat(1 + random.nextInt(3))
                + String.join(separators[random.nextInt(separators.length)], chosen);
    }

    private static void parsesToAvailable(String input, List<String> available) throws TlsConfigException {
        SslConfCommands.Parsed parsed = SslConfCommands.parse(List.of(input.split(NEXT, -1)), available);
        parsed.tls13Suites().ifPresent(suites -> Fuzz.require(available.containsAll(suites), "unavailable suites " + suites));
        parsed.namedGroups().ifPresent(groups -> Fuzz.require(groups.stream().distinct().count() == groups.size(),
                "a group twice: " + groups));
    }
}
