package loomproxy.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Prometheus' text format 0.0.4 strictly, failing with the line on anything a scraper could
 * misread: every line is blank, a comment, or {@code name{labels} value}; each family has one HELP
 * and one TYPE, both before its samples, and its samples are one group; no series twice; label
 * values use only the three escapes; a histogram's buckets rise with {@code le}, never fall, and
 * end with {@code +Inf} equal to its {@code _count}, beside a {@code _sum}.
 */
public final class PromText {
    public record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<String, String> types = new LinkedHashMap<>();
    private final Map<String, String> help = new LinkedHashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    private PromText() {
    }

    public static PromText parse(String text) {
        PromText p = new PromText();
        if (!text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        Set<String> finished = new HashSet<>();
        Set<String> seen = new HashSet<>();
        String current = null;
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                String family = line.startsWith("#") ? p.comment(line) : p.sample(line, seen);
                if (family != null && !family.equals(current)) {
                    if (finished.contains(family)) {
                        throw new AssertionError("family " + family + " is split into two groups");
                    }
                    if (current != null) {
                        finished.add(current);
                    }
                    current = family;
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("line " + n + ": " + line + ": " + e.getMessage(), e);
            }
        }
        p.types.keySet().forEach(f -> {
            if (!p.help.containsKey(f)) {
                throw new AssertionError("family " + f + " has TYPE but no HELP");
            }
        });
        p.checkHistograms();
        return p;
    }

    private String comment(String line) {
        String[] words = line.split(" ", 4);
        if (words.length < 3 || !words[0].equals("#") || !(words[1].equals("HELP") || words[1].equals("TYPE"))) {
            return null; // a plain comment
        }
        String family = words[2];
        if (!NAME.matcher(family).matches()) {
            throw new AssertionError("bad metric name " + family);
        }
        if (words[1].equals("HELP")) {
            if (help.put(family, words.length > 3 ? words[3] : "") != null) {
                throw new AssertionError("second HELP for " + family);
            }
            checkHelpEscapes(words.length > 3 ? words[3] : "");
        } else {
            String type = words.length > 3 ? words[3] : "";
            if (!Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(type)) {
                throw new AssertionError("bad type " + type);
            }
            if (types.put(family, type) != null) {
                throw new AssertionError("second TYPE for " + family);
            }
            if (samples.stream().anyMatch(s -> familyOf(s.name()).equals(family))) {
                throw new AssertionError("TYPE after samples of " + family);
            }
        }
        return family;
    }

    private static void checkHelpEscapes(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\\') {
                char next = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
                if (next != '\\' && next != 'n') {
                    throw new AssertionError("bad escape in HELP");
                }
                i++;
            }
        }
    }

    private String sample(String line, Set<String> seen) {
        Matcher m = NAME.matcher(line);
        if (!m.lookingAt()) {
            throw new AssertionError("no metric name");
        }
        String name = m.group();
        int i = m.end();
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new AssertionError("no blank before the value");
        }
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length > 2) {
            throw new AssertionError("more than a value and a timestamp");
        }
        double value = value(rest[0]);
        String family = familyOf(name);
        if (!types.containsKey(family) || !help.containsKey(family)) {
            throw new AssertionError("sample before HELP and TYPE of " + family);
        }
        if (!seen.add(name + labels)) {
            throw new AssertionError("series twice: " + name + labels);
        }
        samples.add(new Sample(name, labels, value));
        return family;
    }

    private static int labels(String line, int i, Map<String, String> labels) {
        while (line.charAt(i) != '}') {
            Matcher m = LABEL_NAME.matcher(line).region(i, line.length());
            if (!m.lookingAt()) {
                throw new AssertionError("bad label name at " + i);
            }
            String label = m.group();
            i = m.end();
            if (line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
                throw new AssertionError("label " + label + " without =\"");
            }
            i += 2;
            StringBuilder value = new StringBuilder();
            while (line.charAt(i) != '"') {
                char c = line.charAt(i);
                if (c == '\\') {
                    char next = line.charAt(i + 1);
                    value.append(switch (next) {
                        case '\\' -> '\\';
                        case '"' -> '"';
                        case 'n' -> '\n';
                        default -> throw new AssertionError("bad escape \\" + next + " in label " + label);
                    });
                    i += 2;
                } else {
                    value.append(c);
                    i++;
                }
            }
            if (labels.put(label, value.toString()) != null) {
                throw new AssertionError("label " + label + " twice");
            }
            i++;
            if (line.charAt(i) == ',') {
                i++;
            } else if (line.charAt(i) != '}') {
                throw new AssertionError("expected , or } after label " + label);
            }
        }
        return i + 1;
    }

    private static double value(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    /** A histogram's samples belong to the family named without _bucket, _sum or _count. */
    private String familyOf(String name) {
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return name;
    }

    private void checkHistograms() {
        types.forEach((family, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
            for (Sample s : samples) {
                if (s.name().equals(family + "_bucket")) {
                    Map<String, String> series = new TreeMap<>(s.labels());
                    if (series.remove("le") == null) {
                        throw new AssertionError(family + "_bucket without le: " + s);
                    }
                    buckets.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
                }
            }
            buckets.forEach((series, list) -> checkSeries(family, series, list));
        });
    }

    private void checkSeries(String family, Map<String, String> series, List<Sample> list) {
        double lastLe = Double.NEGATIVE_INFINITY;
        double lastCount = 0;
        for (Sample b : list) {
            double le = value(b.labels().get("le"));
            if (le <= lastLe) {
                throw new AssertionError(family + series + ": le not increasing at " + b);
            }
            if (b.value() < lastCount) {
                throw new AssertionError(family + series + ": buckets not cumulative at " + b);
            }
            lastLe = le;
            lastCount = b.value();
        }
        if (lastLe != Double.POSITIVE_INFINITY) {
            throw new AssertionError(family + series + ": no +Inf bucket");
        }
        double count = find(family + "_count", series).orElseThrow(() -> new AssertionError(family + series + ": no _count"));
        find(family + "_sum", series).orElseThrow(() -> new AssertionError(family + series + ": no _sum"));
        if (count != lastCount) {
            throw new AssertionError(family + series + ": +Inf bucket " + lastCount + " != _count " + count);
        }
    }

    public Map<String, String> types() {
        return types;
    }

    public Map<String, String> help() {
        return help;
    }

    public List<Sample> samples() {
        return samples;
    }

    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    public Optional<Double> find(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).map(Sample::value)
                .findFirst();
    }

    /** The value of the series with exactly these labels (alternating names and values). */
    public double value(String name, String... labels) {
        Map<String, String> want = labels(labels);
        return find(name, want).orElseThrow(() -> new AssertionError("no series " + name + want + " among "
                + samples(name)));
    }

    public static Map<String, String> labels(String... labels) {
        Map<String, String> want = new HashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        return new TreeMap<>(want);
    }
}
