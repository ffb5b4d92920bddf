package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.Await;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import dev.vista.web.PrometheusText.Family;
import dev.vista.web.PrometheusText.Sample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /metrics after real requests: Prometheus' text format, read as strictly as promtool reads it, with every series Vista promises. */
class MetricsTest {

    static final String TOKEN = "metrics-admin-token";
    static HikariDataSource dataSource;
    static Config config = Config.fromEnvironment(Map.of("VISTA_ADMIN_TOKEN", TOKEN));

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("metrics");
        TestDatabase.demoData(dataSource).seedIfEmpty();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void the_scrape_after_real_requests_is_valid_prometheus_text_with_http_report_refresh_pool_jvm_and_process_series() {
        // A pool of its own: Hikari reports a pool to the first registry that asks, here the first Vista over it
        try (var pool = pool("scraped")) {
            scrape(pool);
        }
    }

    private static void scrape(HikariDataSource pool) {
        TestApp.serve(config, pool, (server, client) -> {
            assertThat(client.get("/api/reports/visits_summary?limit=5").code()).isEqualTo(200);
            assertThat(client.get("/api/reports/visits_summary?limit=7").code()).isEqualTo(200);
            assertThat(client.get("/api/reports/user_stats.csv?source=groupby&limit=3").code()).isEqualTo(200);
            assertThat(client.get("/api/reports/visits_summary?limt=5").code()).isEqualTo(400);
            assertThat(client.get("/api/reports/no_such_report").code()).isEqualTo(404);
            assertThat(client.get("/no/such/page").code()).isEqualTo(404);
            assertThat(client.post("/api/admin/views/section_daily/refresh", "", r -> r.header("Authorization", "Bearer " + TOKEN)).code()).isEqualTo(200);

            var response = client.get("/metrics", r -> r.header("Authorization", "Bearer " + TOKEN));
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.headers().get("Content-Type")).singleElement().isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            var text = response.body().string();
            var families = PrometheusText.parse(text);
            assertThat(PrometheusText.lint(families)).as("what promtool check metrics would report").isEmpty();

            // HTTP requests: Micrometer's http.server.requests, the route template as uri, never the raw path
            var http = family(families, "http_server_requests_seconds", "histogram");
            assertThat(count(http, "_count", Map.of("method", "GET", "uri", "/api/reports/{name}", "status", "200", "outcome", "SUCCESS"))).isEqualTo(3);
            assertThat(count(http, "_count", Map.of("uri", "/api/reports/{name}", "status", "400", "outcome", "CLIENT_ERROR"))).isEqualTo(1);
            assertThat(count(http, "_count", Map.of("uri", "/api/reports/{name}", "status", "404"))).isEqualTo(1);
            assertThat(count(http, "_count", Map.of("uri", "NOT_FOUND", "status", "404"))).isEqualTo(1);
            assertThat(count(http, "_count", Map.of("method", "POST", "uri", "/api/admin/views/{name}/refresh", "status", "200"))).isEqualTo(1);
            assertThat(count(http, "_bucket", Map.of("uri", "/api/reports/{name}", "status", "200", "le", "+Inf"))).isEqualTo(3);
            assertThat(http.samples()).extracting(s -> s.labels().get("uri")).doesNotContain("/api/reports/visits_summary", "/no/such/page");
            assertThat(text).doesNotContain("no_such_report");

            // report rows and query time, per report, source and format
            var rows = family(families, "vista_report_rows_total", "counter");
            assertThat(count(rows, "", Map.of("report", "visits_summary", "source", "view", "format", "json"))).isEqualTo(12);
            assertThat(count(rows, "", Map.of("report", "user_stats", "source", "groupby", "format", "csv"))).isEqualTo(3);
            var query = family(families, "vista_report_query_seconds", "histogram");
            assertThat(count(query, "_count", Map.of("report", "visits_summary", "source", "view", "format", "json"))).isEqualTo(2);
            assertThat(count(query, "_sum", Map.of("report", "visits_summary"))).isPositive();
            family(families, "vista_report_query_seconds_max", "gauge");

            // refreshes, each stored view's age, and the schedules' misses (counted from zero)
            var refreshes = family(families, "vista_refresh_seconds", "summary");
            assertThat(count(refreshes, "_count", Map.of("view", "section_daily", "mode", "plain", "trigger", "http", "outcome", "succeeded"))).isEqualTo(1);
            var age = family(families, "vista_view_age_seconds", "gauge");
            assertThat(age.samples()).extracting(s -> s.labels().get("view"))
                    .containsExactlyInAnyOrder("section_daily", "section_daily_incremental", "visits_summary_mv");
            assertThat(count(age, "", Map.of("view", "section_daily"))).isBetween(0.0, 60.0);
            var misses = family(families, "vista_refresh_schedule_misses_total", "counter");
            assertThat(misses.samples()).extracting(s -> s.labels().get("view")).contains("section_daily", "visits_summary_mv");
            assertThat(misses.samples()).extracting(Sample::value).containsOnly(0.0);

            // both pools, through Hikari's Micrometer tracker
            var pools = family(families, "hikaricp_connections", "gauge");
            assertThat(pools.samples()).extracting(s -> s.labels().get("pool")).containsExactlyInAnyOrder("scraped", "scraped-readers");
            family(families, "hikaricp_connections_active", "gauge");
            family(families, "hikaricp_connections_pending", "gauge");
            family(families, "hikaricp_connections_max", "gauge");
            family(families, "hikaricp_connections_timeout_total", "counter");
            assertThat(count(family(families, "hikaricp_connections_acquire_seconds", "summary"), "_count",
                    Map.of("pool", "scraped-readers"))).isPositive();

            // the JVM and the process
            assertThat(count(family(families, "jvm_memory_used_bytes", "gauge"), "", Map.of("area", "heap"))).isPositive();
            family(families, "jvm_threads_live_threads", "gauge");
            family(families, "jvm_classes_loaded_classes", "gauge");
            family(families, "jvm_gc_memory_allocated_bytes_total", "counter");
            family(families, "jvm_info", "gauge");
            family(families, "process_cpu_usage", "gauge");
            family(families, "process_uptime_seconds", "gauge");
            family(families, "process_start_time_seconds", "gauge");
            family(families, "process_files_open_files", "gauge");
            family(families, "process_cpu_seconds_total", "counter");
            family(families, "system_cpus", "gauge");
        });
    }

    @Test
    void metrics_need_the_admin_token() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var missing = client.get("/metrics");
            assertThat(missing.code()).isEqualTo(401);
            assertThat(missing.headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"vista\"");
            assertThat(missing.body().string()).contains("\"code\":\"unauthorized\"");
            assertThat(client.get("/metrics", r -> r.header("Authorization", "Bearer wrong")).code()).isEqualTo(401);
        });
    }

    @Test
    void each_request_is_one_log_line_of_key_value_pairs_unless_switched_off() {
        var lines = logged(config, "/api/reports/visits_summary?limit=2&order=visits.desc");
        assertThat(lines).singleElement().asString()
                .matches(".*INFO (dev\\.vista\\.web\\.)?RequestMetrics - method=GET route=/api/reports/\\{name} status=200 ms=\\d+\\.\\d report=visits_summary "
                        + "source=view format=json rows=2 path=/api/reports/visits_summary");

        var quiet = Config.fromEnvironment(Map.of("VISTA_ADMIN_TOKEN", TOKEN, "VISTA_REQUEST_LOG", "off"));
        assertThat(quiet.requestLog()).isFalse();
        assertThat(logged(quiet, "/api/reports/visits_summary?limit=2")).isEmpty();
    }

    /** The request log lines that serving {@code path} once writes (slf4j-simple writes to System.err as it is at the time). */
    private static List<String> logged(Config config, String path) {
        var captured = new ByteArrayOutputStream();
        var original = System.err;
        var lines = new ArrayList<String>();
        try (var pool = pool("logged")) {
            TestApp.serve(config, pool, (server, client) -> {
                System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
                try {
                    assertThat(client.get(path).code()).isEqualTo(200);
                    assertThat(client.get("/health").code()).isEqualTo(200); // logged after the request above, if at all
                    Await.until("the request log", Duration.ofSeconds(2), () -> !config.requestLog() || captured.toString(StandardCharsets.UTF_8).contains("route=/health"));
                } finally {
                    System.setErr(original);
                }
            });
        }
        captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("RequestMetrics") && !l.contains("route=/health")).forEach(lines::add);
        return lines;
    }

    @Test
    void the_parser_refuses_what_prometheus_refuses() {
        assertThatThrownBy(() -> PrometheusText.parse("a 1")).hasMessageContaining("line feed");
        assertThatThrownBy(() -> PrometheusText.parse("a{b=\"c\",b=\"d\"} 1\n")).hasMessageContaining("duplicate label");
        assertThatThrownBy(() -> PrometheusText.parse("a{b=\"\\x\"} 1\n")).hasMessageContaining("invalid escape");
        assertThatThrownBy(() -> PrometheusText.parse("a one\n")).hasMessageContaining("invalid value");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a counter\n# TYPE a gauge\n")).hasMessageContaining("second TYPE");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na 1\nb 1\na{x=\"y\"} 2\n")).hasMessageContaining("not grouped");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\na 2\n")).hasMessageContaining("duplicate sample");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n"))
                .hasMessageContaining("not cumulative");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n")).hasMessageContaining("+Inf");
        assertThat(PrometheusText.lint(PrometheusText.parse("# TYPE requests counter\nrequests 1\n")))
                .containsExactly("requests: no help text", "requests: counter metrics should have \"_total\" suffix");
        assertThat(PrometheusText.lint(PrometheusText.parse("# HELP a_milliseconds x\n# TYPE a_milliseconds gauge\na_milliseconds 1\n")))
                .containsExactly("a_milliseconds: use base unit \"seconds\" instead of \"milliseconds\"");
    }

    private static HikariDataSource pool(String name) {
        var hikari = new HikariConfig();
        hikari.setJdbcUrl(dataSource.getJdbcUrl());
        hikari.setUsername(dataSource.getUsername());
        hikari.setPassword(dataSource.getPassword());
        hikari.setMaximumPoolSize(4);
        hikari.setPoolName(name);
        return new HikariDataSource(hikari);
    }

    private static Family family(Map<String, Family> families, String name, String type) {
        assertThat(families).as("metric families").containsKey(name);
        var family = families.get(name);
        assertThat(family.type()).as(name + " type").isEqualTo(type);
        assertThat(family.help()).as(name + " help").isNotBlank();
        assertThat(family.samples()).as(name + " samples").isNotEmpty();
        return family;
    }

    /** The sum of the family's samples named with {@code suffix} whose labels include {@code labels}. */
    private static double count(Family family, String suffix, Map<String, String> labels) {
        var samples = family.find(family.name() + suffix, labels);
        assertThat(samples).as(family.name() + suffix + labels).isNotEmpty();
        return samples.stream().mapToDouble(Sample::value).sum();
    }
}
