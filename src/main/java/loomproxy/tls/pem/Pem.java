package loomproxy.tls.pem;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import loomproxy.config.Printable;

/**
 * PEM text to blocks, parsed the lax way RFC 7468 section 2 recommends and OpenSSL behaves: text
 * before, between and after blocks is ignored (openssl writes "Bag Attributes" and certificate dumps
 * there), line ends may be LF, CRLF or CR, and whitespace inside the base64 is skipped. RFC 1421
 * headers ({@code Proc-Type}, {@code DEK-Info}) are kept for legacy encrypted keys.
 */
final class Pem {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    private Pem() {}

    /** One {@code -----BEGIN label-----} block; {@code line} is where it begins (1-based). */
    record Entry(String label, Map<String, String> headers, byte[] der, int line) {
        /** OpenSSL's legacy PEM encryption (RFC 1421 section 4.6.1.1): "Proc-Type: 4,ENCRYPTED". */
        boolean encrypted() {
            String procType = headers.get("Proc-Type");
            return procType != null && procType.replace(" ", "").equalsIgnoreCase("4,ENCRYPTED");
        }

        /** Where the block is, for messages: "RSA PRIVATE KEY at line 3". */
        String where() {
            return Printable.escape(label) + " at line " + line;
        }
    }

    /** All blocks of {@code text}, in order; {@code file} only names the source in messages. */
    static List<Entry> parse(String file, String text) throws PemException {
        List<Entry> blocks = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String label = label(lines.get(i), BEGIN);
            if (label != null) {
                int end = endOf(file, lines, i, label);
                blocks.add(block(file, label, lines.subList(i + 1, end), i + 1));
                i = end;
            }
        }
        return blocks;
    }

    private static int endOf(String file, List<String> lines, int begin, String label) throws PemException {
        for (int i = begin + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (label(line, END) != null) {
                if (!label.equals(label(line, END))) {
                    throw new PemException(String.format("%s: PEM %s at line %d ends with \"%s\" at line %d: "
                            + "the file is damaged, export it again", file, Printable.escape(label), begin + 1,
                            Printable.escape(line.strip()), i + 1));
                }
                return i;
            }
            if (label(line, BEGIN) != null) {
                break;
            }
        }
        throw new PemException(String.format("%s: PEM %s at line %d has no \"-----END %s-----\" line: "
                + "the file is truncated or damaged, export it again", file, Printable.escape(label), begin + 1,
                Printable.escape(label)));
    }

    private static Entry block(String file, String label, List<String> body, int line) throws PemException {
        Map<String, String> headers = new LinkedHashMap<>();
        StringBuilder base64 = new StringBuilder();
        for (String text : body) {
            int colon = text.indexOf(':');
            // Base64 never contains ':', so a line with one before the data starts is a header.
            if (colon > 0 && base64.isEmpty()) {
                headers.put(text.substring(0, colon).strip(), text.substring(colon + 1).strip());
            } else {
                text.chars().filter(c -> !Character.isWhitespace(c)).forEach(c -> base64.append((char) c));
            }
        }
        try {
            return new Entry(label, Map.copyOf(headers), Base64.getDecoder().decode(base64.toString()), line);
        } catch (IllegalArgumentException e) {
            throw new PemException(String.format("%s: PEM %s at line %d is not valid base64: "
                    + "the file is damaged, export it again", file, Printable.escape(label), line));
        }
    }

    /** The label of a BEGIN or END line (surrounding whitespace tolerated), or null. */
    private static String label(String line, String marker) {
        String stripped = line.strip();
        if (stripped.startsWith(marker) && stripped.endsWith(DASHES) && stripped.length() > marker.length() + DASHES.length()) {
            return stripped.substring(marker.length(), stripped.length() - DASHES.length());
        }
        return null;
    }
}
