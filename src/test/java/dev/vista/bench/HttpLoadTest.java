package dev.vista.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** wrk is not installed where the tests run, so its report is parsed here from a real one. */
class HttpLoadTest {

    private static final String WRK_REPORT = """
            Running 2s test @ http://127.0.0.1:41567/api/reports/visits_summary_mv
              2 threads and 8 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     1.80ms    1.02ms  20.15ms   85.12%
                Req/Sec     2.23k   150.33     2.60k    70.50%
              Latency Distribution
                 50%  850.00us
                 75%    2.10ms
                 90%    2.85ms
                 99%    1.20s
              8884 requests in 2.00s, 30.04MB read
              Socket errors: connect 0, read 1, write 0, timeout 2
              Non-2xx or 3xx responses: 3
            Requests/sec:   4442.00
            Transfer/sec:     15.02MB
            """;

    @Test
    void wrks_report_gives_requests_per_second_percentiles_in_milliseconds_and_every_kind_of_error() {
        var load = HttpLoad.parseWrk(WRK_REPORT);

        assertThat(load.requestsPerSecond()).isEqualTo(4442.0);
        assertThat(load.p50()).isCloseTo(0.85, within(1e-9));
        assertThat(load.p99()).isCloseTo(1200.0, within(1e-9));
        assertThat(load.errors()).isEqualTo(6);
        assertThat(load.client()).isEqualTo("wrk");
    }
}
