package loomproxy.metrics;

import java.math.BigDecimal;

/**
 * Writes Prometheus' text exposition format, version 0.0.4 (prometheus.io, "Exposition formats"):
 * {@code # HELP} and {@code # TYPE} before a family's samples; HELP text escapes {@code \} and
 * line feed, label values also {@code "}. Names and label names are ours and need no escaping.
 */
final class Exposition {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(8192);

    /** Starts a family; its samples follow. */
    Exposition family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ');
        escape(help, false);
        out.append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} alternate names and values. */
    Exposition sample(String name, double value, String... labels) {
        name(name, labels, null);
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** One sample with a whole value: counters and counts are written without a fraction. */
    Exposition sample(String name, long value, String... labels) {
        name(name, labels, null);
        out.append(' ').append(value).append('\n');
        return this;
    }

    /** The {@code _bucket}, {@code _sum} and {@code _count} samples of one histogram series. */
    Exposition histogram(String name, Histogram.Snapshot h, String... labels) {
        long[] cumulative = h.cumulative();
        for (int i = 0; i < cumulative.length; i++) {
            String le = i < Histogram.BOUNDS.length ? number(Histogram.BOUNDS[i]) : "+Inf";
            name(name + "_bucket", labels, le);
            out.append(' ').append(cumulative[i]).append('\n');
        }
        sample(name + "_sum", h.sumSeconds(), labels);
        return sample(name + "_count", h.count(), labels);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void name(String name, String[] labels, String le) {
        out.append(name);
        if (labels.length == 0 && le == null) {
            return;
        }
        out.append('{');
        for (int i = 0; i + 1 < labels.length; i += 2) {
            out.append(i == 0 ? "" : ",").append(labels[i]).append("=\"");
            escape(labels[i + 1], true);
            out.append('"');
        }
        if (le != null) {
            out.append(labels.length == 0 ? "" : ",").append("le=\"").append(le).append('"');
        }
        out.append('}');
    }

    private void escape(String text, boolean labelValue) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '"' -> out.append(labelValue ? "\\\"" : "\"");
                default -> out.append(c);
            }
        }
    }

    /** Go's ParseFloat reads all of these: whole numbers plainly, others in their shortest form. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
