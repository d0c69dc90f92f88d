package loomproxy.tls.pem;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import loomproxy.testkit.Mutate;
import loomproxy.tls.der.DerMutations;

/**
 * Structure-aware mutation of PEM files for the fuzz tests: the DER inside a block (through
 * {@link DerMutations}), BEGIN/END labels, RFC 1421 headers (DEK-Info with bad IVs, unknown ciphers),
 * line ends, NUL and other control bytes, very long lines, whole blocks; plus plain byte mutation.
 * Text is ISO-8859-1 throughout, as {@link PemFiles} reads it, so every char is one file byte.
 */
final class PemMutations {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([^\r\n]*)-----(\r\n|\r|\n)(.*?)(-----END [^\r\n]*-----)",
            Pattern.DOTALL);
    private static final Pattern DEK_INFO = Pattern.compile("DEK-Info: *([^,\r\n]*),([0-9A-Fa-f]*)");
    private static final String[] LABELS = {"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CRL",
            "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "EC PARAMETERS",
            "OPENSSH PRIVATE KEY", "DSA PRIVATE KEY", "PUBLIC KEY", " ", "-", "CERTIFICATE-----", "private key"};
    private static final String[] CIPHERS = {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC", "DES-EDE3-CBC", "DES-CBC",
            "aes-256-cbc", "IDEA-CBC", "ARIA-256-CBC", "", " AES-128-CBC ", "AES-256-GCM", "DES-EDE3-CBC,AES-128-CBC"};
    private static final String[] INSERTS = {"\0", "\r", "\n", "\r\n", "\u0085", "\u00A0", "\u00FF", "\t", "\u000B",
            "\u000C", ":", "-", "=", " ", "==", "-----", "\n\n", "\0\0\0\0"};
    /** Long-line lengths, each ten times rarer than the one before: a big input costs milliseconds to parse. */
    private static final int[] LONG = {1_000, 20_000, 300_000};

    private PemMutations() {}

    static byte[] mutate(SplittableRandom random, String pem, String donor) {
        String out = pem;
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            out = once(random, out, donor);
        }
        return out.getBytes(ISO_8859_1);
    }

    private static String once(SplittableRandom random, String text, String donor) {
        return switch (random.nextInt(12)) {
            case 0, 1, 2, 3 -> der(random, text, donor);
            case 4 -> label(random, text);
            case 5 -> header(random, text);
            case 6 -> lineEnds(random, text);
            case 7 -> insert(random, text, INSERTS[random.nextInt(INSERTS.length)]);
            case 8 -> insert(random, text, longLine(random));
            case 9 -> blocks(random, text, donor);
            default -> new String(Mutate.bytes(random, text.getBytes(ISO_8859_1), donor.getBytes(ISO_8859_1)), ISO_8859_1);
        };
    }

    /** The base64 body of one block decoded, mutated as DER, and encoded again (64 columns, one line, or CRLF). */
    private static String der(SplittableRandom random, String text, String donor) {
        Matcher block = block(random, text);
        if (block == null) {
            return insert(random, text, "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
        }
        String[] headersAndBody = splitHeaders(block.group(3));
        byte[] der = decode(headersAndBody[1]);
        Matcher other = block(random, donor);
        byte[] mutated = DerMutations.mutate(random, der, other == null ? der : decode(splitHeaders(other.group(3))[1]));
        String body = encode(random, mutated, block.group(2));
        return text.substring(0, block.start(3)) + headersAndBody[0] + body + text.substring(block.end(3));
    }

    /** RFC 1421 header lines (up to the first line without ':') and the base64 after them. */
    private static String[] splitHeaders(String body) {
        int end = 0;
        for (int next; (next = body.indexOf('\n', end)) >= 0 && body.substring(end, next).indexOf(':') > 0; ) {
            end = next + 1;
        }
        return new String[] {body.substring(0, end), body.substring(end)};
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static String encode(SplittableRandom random, byte[] der, String lineEnd) {
        return switch (random.nextInt(4)) {
            case 0 -> Base64.getEncoder().encodeToString(der) + lineEnd;
            case 1 -> Base64.getMimeEncoder(76, "\r\n".getBytes(ISO_8859_1)).encodeToString(der) + "\r\n";
            default -> Base64.getMimeEncoder(64, lineEnd.getBytes(ISO_8859_1)).encodeToString(der) + lineEnd;
        };
    }

    private static String label(SplittableRandom random, String text) {
        Matcher block = block(random, text);
        if (block == null) {
            return "-----BEGIN " + LABELS[random.nextInt(LABELS.length)] + "-----\n" + text;
        }
        String other = LABELS[random.nextInt(LABELS.length)];
        String end = block.group(4);
        return switch (random.nextInt(7)) {
            case 0 -> replace(text, block.start(1), block.end(1), other);
            case 1 -> replace(text, block.start(4), block.end(4), "-----END " + other + "-----");
            case 2 -> replace(text, block.start(4), block.end(4), "");
            case 3 -> replace(text, block.start(), block.start(3), "");
            case 4 -> replace(text, block.start(1), block.end(1), " " + block.group(1) + "\t");
            case 5 -> replace(text, block.start(4), block.end(4), end.substring(1) + "  ");
            default -> replace(text, block.start(), block.start(1), random.nextBoolean() ? "-----begin " : "----BEGIN ");
        };
    }

    /** Proc-Type and DEK-Info headers added to a block, or the existing DEK-Info given another cipher or IV. */
    private static String header(SplittableRandom random, String text) {
        Matcher dek = DEK_INFO.matcher(text);
        if (dek.find() && random.nextBoolean()) {
            return random.nextBoolean() ? replace(text, dek.start(1), dek.end(1), CIPHERS[random.nextInt(CIPHERS.length)])
                    : replace(text, dek.start(2), dek.end(2), iv(random, dek.group(2)));
        }
        Matcher block = block(random, text);
        if (block == null) {
            return text;
        }
        String cipher = CIPHERS[random.nextInt(CIPHERS.length)];
        String headers = switch (random.nextInt(5)) {
            case 0 -> "Proc-Type: 4,ENCRYPTED\n";
            case 1 -> "Proc-Type: 4, encrypted\nDEK-Info: " + cipher + "\n\n";
            case 2 -> "DEK-Info: " + cipher + "," + iv(random, "") + "\n\n";
            default -> "Proc-Type: 4,ENCRYPTED\nDEK-Info: " + cipher + "," + iv(random, "") + "\n\n";
        };
        return replace(text, block.start(3), block.start(3), headers);
    }

    /** An IV of the wrong length, with a non-hex digit, or one flipped hex digit. */
    private static String iv(SplittableRandom random, String iv) {
        int[] lengths = {0, 1, 15, 16, 17, 31, 32, 33, 48, 64};
        String hex = HexFormat.of().formatHex(Mutate.randomBytes(random, 40));
        return switch (random.nextInt(4)) {
            case 0 -> hex.substring(0, lengths[random.nextInt(lengths.length)]);
            case 1 -> iv.isEmpty() ? "G" + hex.substring(0, 31) : "G" + iv.substring(1);
            case 2 -> iv.isEmpty() ? hex.substring(0, 32).toUpperCase(Locale.ROOT) : iv.substring(1) + "0";
            default -> iv.isEmpty() ? " " : iv.substring(0, iv.length() / 2) + "\u00B2" + iv.substring(iv.length() / 2 + 1);
        };
    }

    private static String lineEnds(SplittableRandom random, String text) {
        return switch (random.nextInt(5)) {
            case 0 -> text.replace("\n", "\r\n");
            case 1 -> text.replace("\n", "\r");
            case 2 -> text.replace("\n", "");
            case 3 -> text.strip();
            default -> text.replace("\n", "\n\n");
        };
    }

    private static String longLine(SplittableRandom random) {
        int length = LONG[random.nextInt(10) > 0 ? 0 : random.nextInt(10) > 0 ? 1 : 2];
        String fill = String.valueOf("A-= /".charAt(random.nextInt(5))).repeat(length);
        return random.nextBoolean() ? fill + "\n" : "-----BEGIN " + fill + "-----\n";
    }

    private static String blocks(SplittableRandom random, String text, String donor) {
        Matcher block = block(random, text);
        int at = random.nextInt(text.length() + 1);
        if (block == null) {
            return text.substring(0, at) + donor;
        }
        return switch (random.nextInt(5)) {
            case 0 -> text.substring(0, block.end()) + "\n" + block.group() + text.substring(block.end());
            case 1 -> text.substring(0, at);
            case 2 -> text + donor;
            case 3 -> replace(text, block.start(3), block.start(3), donor);
            default -> block.group(4) + "\n" + text;
        };
    }

    private static Matcher block(SplittableRandom random, String text) {
        List<Matcher> found = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            Matcher one = BLOCK.matcher(text);
            one.find(matcher.start());
            found.add(one);
        }
        return found.isEmpty() ? null : found.get(random.nextInt(found.size()));
    }

    private static String insert(SplittableRandom random, String text, String extra) {
        int at = random.nextInt(text.length() + 1);
        return text.substring(0, at) + extra + text.substring(at);
    }

    private static String replace(String text, int from, int to, String with) {
        return text.substring(0, from) + with + text.substring(to);
    }
}
