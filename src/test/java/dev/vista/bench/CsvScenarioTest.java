package dev.vista.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvScenarioTest {

    @Test
    void the_throughput_ratio_is_the_median_of_each_rounds_own_ratio_not_a_ratio_of_medians() {
        // the machine slows down round by round: each round's reference is faster than its own Vista download in
        // round 2 and 3 only, which a ratio of the medians (2 ms / 2 ms = 1.0) does not see
        var vista = new Timings.Samples("vista", List.of(1.0, 2.0, 3.0));
        var reference = new Timings.Samples("reference", List.of(3.0, 1.0, 2.0));

        assertThat(CsvScenario.pairedThroughput(vista, reference)).isCloseTo(2.0 / 3.0, within(1e-9));
    }
}
