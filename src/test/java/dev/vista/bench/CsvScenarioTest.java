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

    @Test
    void alternating_rounds_run_the_pair_in_turns_so_neither_always_follows_the_other() throws Exception {
        var order = new java.util.ArrayList<String>();
        var variants = new java.util.LinkedHashMap<String, Timings.Work>();
        variants.put("vista", () -> order.add("vista"));
        variants.put("reference", () -> order.add("reference"));

        var samples = Timings.alternating(1, 4, variants);

        assertThat(order).containsExactly("vista", "reference", // the warm-up
                "vista", "reference", "reference", "vista", "vista", "reference", "reference", "vista");
        assertThat(samples.get("vista").millis()).hasSize(4);
        assertThat(samples.get("reference").millis()).hasSize(4);
    }
}
