package dev.vista.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoublePredicate;

// The benchmark's results: a table on stdout and BENCHMARKS.md, each figure beside its reference and goal.
final class BenchReport {

    /**
     * One line of the table; {@code ratio} is figure / reference (NaN when there is none), {@code goal} in words and
     * {@code verdict} {@value #MET} or {@value #NOT_MET}, both empty for a figure given for information.
     */
    record Line(String scenario, String figure, String value, String reference, String referenceValue, double ratio,
                String goal, String verdict) {
    }

    static final String MET = "met";
    static final String NOT_MET = "not met";

    private final List<Line> lines = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<BenchResult.Failure> failures = new ArrayList<>();

    void add(Line line) {
        lines.add(line);
    }

    /** A figure beside its reference (medians and ranges), the ratio of their medians, and the goal's verdict on it. */
    void compare(String scenario, String figure, Timings.Samples value, String reference, Timings.Samples base,
                 String goal, DoublePredicate met) {
        compared(scenario, figure, value, reference, base, value.median() / base.median(), goal, met);
    }

    /**
     * As {@link #compare}, for samples taken in pairs, round by round ({@link Timings#alternating}): the ratio is the
     * median of the rounds' own ratios ({@link Timings#medianRatio}), so what moves the machine between rounds cancels out.
     */
    void comparePaired(String scenario, String figure, Timings.Samples value, String reference, Timings.Samples base,
                       String goal, DoublePredicate met) {
        compared(scenario, figure, value, reference, base, Timings.medianRatio(value.millis(), base.millis()), goal, met);
    }

    private void compared(String scenario, String figure, Timings.Samples value, String reference, Timings.Samples base, double ratio,
                          String goal, DoublePredicate met) {
        add(new Line(scenario, figure, medianAndRange(value), reference, medianAndRange(base), ratio, goal, verdict(met.test(ratio))));
    }

    /** A figure beside its reference and their ratio, for information: no goal, so no verdict. */
    void inform(String scenario, String figure, Timings.Samples value, String reference, Timings.Samples base) {
        add(new Line(scenario, figure, medianAndRange(value), reference, medianAndRange(base), value.median() / base.median(), "", ""));
    }

    /** A scenario that threw: a line in the table saying so, and a failure in the result. */
    void failed(String scenario, Exception e) {
        var message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        lines.add(new Line(scenario, "(scenario failed)", "n/a", "", "", Double.NaN, "", "failed: " + message));
        failures.add(new BenchResult.Failure(scenario, e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    /** A figure that cannot be measured here (no standby, say): n/a and why, not a failure. */
    void unavailable(String scenario, String figure, String reason) {
        lines.add(new Line(scenario, figure, "n/a", "", "", Double.NaN, "", "n/a: " + reason));
    }

    void note(String note) {
        notes.add(note);
    }

    BenchResult result() {
        return new BenchResult(List.copyOf(lines), List.copyOf(failures));
    }

    static String verdict(boolean met) {
        return met ? MET : NOT_MET;
    }

    static String millis(double millis) {
        return millis >= 1000 ? String.format(Locale.ROOT, "%.2f s", millis / 1000) : String.format(Locale.ROOT, "%.2f ms", millis);
    }

    static String medianAndRange(Timings.Samples samples) {
        return millis(samples.median()) + " [" + millis(samples.min()) + "–" + millis(samples.max()) + "]";
    }

    String table() {
        var header = new String[] {"scenario", "figure", "value", "reference", "reference value", "ratio", "goal", "verdict"};
        var rows = new ArrayList<String[]>();
        rows.add(header);
        for (var l : lines) {
            rows.add(new String[] {l.scenario(), l.figure(), l.value(), l.reference(), l.referenceValue(),
                    Double.isNaN(l.ratio()) ? "" : String.format(Locale.ROOT, "%.3f", l.ratio()), l.goal(), l.verdict()});
        }
        var widths = new int[header.length];
        for (var row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        var out = new StringBuilder();
        for (var row : rows) {
            for (int i = 0; i < row.length; i++) {
                out.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", row[i])).append(i + 1 < row.length ? "  " : "\n");
            }
        }
        notes.forEach(n -> out.append("- ").append(n).append('\n'));
        return out.toString();
    }

    String markdown(String title, List<String> context) {
        var md = new StringBuilder("## ").append(title).append("\n\n");
        context.forEach(c -> md.append("- ").append(c).append('\n'));
        md.append("\n| scenario | figure | value | reference | reference value | ratio | goal | verdict |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (var l : lines) {
            md.append("| ").append(String.join(" | ", l.scenario(), l.figure(), l.value(), l.reference(), l.referenceValue(),
                    Double.isNaN(l.ratio()) ? "" : String.format(Locale.ROOT, "%.3f", l.ratio()), l.goal(), l.verdict())).append(" |\n");
        }
        if (!notes.isEmpty()) {
            md.append('\n');
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    /** Replaces this scale's section of BENCHMARKS.md (sections are keyed by their title), keeping the others. */
    static void write(Path file, String title, String section) throws IOException {
        var intro = """
                # Benchmarks

                Measured by `vista bench` (see README, "Benchmarks"). Every figure is a median of interleaved runs
                beside its reference, measured in the same run on the same machine; ratios are figure / reference
                (for lines measured in rounds, the median of the rounds' own ratios).

                """;
        var existing = Files.exists(file) ? Files.readString(file) : intro;
        var marker = "## " + title + "\n";
        var start = existing.indexOf(marker);
        String updated;
        if (start < 0) {
            updated = existing.stripTrailing() + "\n\n" + section;
        } else {
            var end = existing.indexOf("\n## ", start + marker.length());
            updated = existing.substring(0, start) + section + (end < 0 ? "" : existing.substring(end + 1));
        }
        Files.writeString(file, updated.stripTrailing() + "\n");
    }
}
