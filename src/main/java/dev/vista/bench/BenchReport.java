package dev.vista.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

// The benchmark's results: a table on stdout and BENCHMARKS.md, each figure beside its reference and goal.
final class BenchReport {

    /** One line of the table; {@code ratio} is figure / reference (NaN when there is none), {@code goal} in words. */
    record Line(String scenario, String figure, String value, String reference, String referenceValue, double ratio,
                String goal, String verdict) {
    }

    private final List<Line> lines = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void add(Line line) {
        lines.add(line);
    }

    void notApplicable(String scenario, String figure, String why) {
        lines.add(new Line(scenario, figure, "n/a", "", "", Double.NaN, "", why));
    }

    void note(String note) {
        notes.add(note);
    }

    List<Line> lines() {
        return List.copyOf(lines);
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
                beside its reference, measured in the same run on the same machine; ratios are figure / reference.

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
