package dev.agentsaga.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The table of figures, each beside its same-run baseline, and small statistics helpers. */
final class Results {

    /** One line of the table. */
    record Row(String bench, String figure, String engine, String baseline, String ratio, String note) {
    }

    private final List<Row> rows = new ArrayList<>();

    void add(String bench, String figure, String engine, String baseline, String ratio, String note) {
        Row row = new Row(bench, figure, engine, baseline, ratio, note);
        rows.add(row);
        Log.info("  %s | %s | %s | %s | %s | %s", bench, figure, engine, baseline, ratio, note);
    }

    /** Prints the table as Markdown. */
    void print(PrintStream out) {
        out.println();
        out.println("| # | figure | agent-saga | baseline (same run) | ratio | notes |");
        out.println("|---|---|---:|---:|---:|---|");
        for (Row row : rows) {
            out.printf("| %s | %s | %s | %s | %s | %s |%n", row.bench(), row.figure(), row.engine(), row.baseline(),
                    row.ratio(), row.note());
        }
        out.println();
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static String ms(double millis) {
        return millis >= 100 ? f("%.0f ms", millis) : millis >= 10 ? f("%.1f ms", millis) : f("%.3f ms", millis);
    }

    static String ratio(double engine, double baseline) {
        return f("%.2fx", engine / baseline);
    }

    static String rate(double perSecond) {
        return f("%,.0f/s", perSecond);
    }

    static double median(double... values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The p-th percentile (0..100) of nanosecond samples, in milliseconds. */
    static double percentileMillis(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
        return sorted[index] / 1e6;
    }

    static double meanMillis(long[] nanos) {
        return Arrays.stream(nanos).average().orElse(Double.NaN) / 1e6;
    }

    /** Progress on standard error; the table goes to standard output. */
    static final class Log {

        private static final long T0 = System.nanoTime();

        static void info(String format, Object... args) {
            System.err.printf(Locale.ROOT, "[%6.1fs] %s%n", (System.nanoTime() - T0) / 1e9,
                    String.format(Locale.ROOT, format, args));
        }
    }
}
