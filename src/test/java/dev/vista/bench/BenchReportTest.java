package dev.vista.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a line's ratio and verdict come from its samples. */
class BenchReportTest {

    @Test
    void a_paired_comparison_takes_the_median_of_the_rounds_own_ratios_not_the_ratio_of_the_medians() {
        var report = new BenchReport();
        // the machine was twice as slow in the first round, for both; in the third the view took a fifth longer
        var view = new Timings.Samples("view", List.of(2.0, 1.0, 1.2));
        var groupBy = new Timings.Samples("groupby", List.of(2.0, 1.0, 1.0));
        report.comparePaired("s", "view", view, "GROUP BY", groupBy, "1.00 ± 0.05", r -> Math.abs(r - 1) <= 0.05);
        report.compare("s", "view, medians", view, "GROUP BY", groupBy, "1.00 ± 0.05", r -> Math.abs(r - 1) <= 0.05);

        var lines = report.result().lines();
        assertThat(lines.get(0).ratio()).isEqualTo(1.0);
        assertThat(lines.get(0).verdict()).isEqualTo(BenchReport.MET);
        assertThat(lines.get(0).value()).isEqualTo("1.20 ms [1.00 ms–2.00 ms]");
        assertThat(lines.get(0).referenceValue()).isEqualTo("1.00 ms [1.00 ms–2.00 ms]");
        // the ratio of the medians (1.20 over 1.00) takes the view's slow round for its figure
        assertThat(lines.get(1).ratio()).isCloseTo(1.2, within(1e-9));
        assertThat(lines.get(1).verdict()).isEqualTo(BenchReport.NOT_MET);
    }
}
