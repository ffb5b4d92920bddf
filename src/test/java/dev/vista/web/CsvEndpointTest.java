package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CSV downloads through real HTTP: same query parameters as JSON, streamed from COPY, errors as JSON. */
class CsvEndpointTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static HikariDataSource dataSource;
    static Config config = Config.fromEnvironment(Map.of());
    static long visits;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("csv_endpoint");
        TestDatabase.demoData(dataSource).seed(200_000, 100);
        visits = TestDatabase.dsl(dataSource).fetchCount(dev.vista.generated.Tables.PAGE_VISITS);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static List<CSVRecord> parse(String text) throws Exception {
        return CSVFormat.POSTGRESQL_CSV.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(text)).getRecords();
    }

    @Test
    void the_csv_suffix_and_accept_text_csv_download_the_whole_report_with_no_row_limit() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var response = client.get("/api/reports/visit_log.csv?select=visit_id,username,section&order=visit_id");
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.headers().get("Content-Type").getFirst()).isEqualTo("text/csv; charset=utf-8");
            assertThat(response.headers().get("Content-Disposition").getFirst())
                    .isEqualTo("attachment; filename=\"visit_log-" + LocalDate.now(ZoneOffset.UTC) + ".csv\"");
            var body = response.body().string();
            assertThat(body).startsWith("visit_id,username,section\n1,user");
            assertThat(parse(body)).hasSize((int) visits);

            var accepted = client.get("/api/reports/visit_log?select=visit_id,username,section&order=visit_id",
                    req -> req.header("Accept", "text/csv"));
            assertThat(accepted.code()).isEqualTo(200);
            assertThat(accepted.body().string()).isEqualTo(body);
        });
    }

    @Test
    void a_whole_export_without_order_comes_unsorted_and_holds_every_row_exactly_once() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var unordered = parse(client.get("/api/reports/visit_log.csv").body().string()).stream().map(CSVRecord::toList).toList();
            var ordered = parse(client.get("/api/reports/visit_log.csv?order=visit_id").body().string()).stream().map(CSVRecord::toList).toList();
            assertThat(unordered).hasSize((int) visits).doesNotHaveDuplicates();
            assertThat(unordered).containsExactlyInAnyOrderElementsOf(ordered);
            // and the SQL has no ORDER BY then, while a page of the same report does
            var catalogue = dev.vista.report.ReportCatalogue.of(dev.vista.generated.DefaultSchema.DEFAULT_SCHEMA, TestDatabase.viewFiles());
            var whole = dev.vista.report.ReportSelect.of(catalogue.get("visit_log"), dev.vista.report.ReportQuery.all());
            assertThat(TestDatabase.dsl(dataSource).render(whole.export())).doesNotContainIgnoringCase("order by");
            assertThat(TestDatabase.dsl(dataSource).render(whole.rows())).containsIgnoringCase("order by");
        });
    }

    @Test
    void filters_order_limit_and_source_apply_as_they_do_for_json() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var dashboard = parse(client.get("/api/reports/visit_log.csv?section=eq.dashboard&user_id=lt.10").body().string());
            var expected = TestDatabase.dsl(dataSource).resultQuery(
                    "SELECT count(*) FROM page_visits WHERE section = 'dashboard' AND user_id < 10").fetchOne(0, Integer.class);
            assertThat(dashboard).hasSize(expected).allSatisfy(r -> assertThat(r.get("section")).isEqualTo("dashboard"));
            assertThat(dashboard).allSatisfy(r -> assertThat(Long.parseLong(r.get("user_id"))).isLessThan(10));

            var top = client.get("/api/reports/visits_summary.csv?select=user_id,visits&order=visits.desc,user_id&limit=3").body().string();
            var json = JSON.readTree(client.get("/api/reports/visits_summary?select=user_id,visits&order=visits.desc,user_id&limit=3").body().string());
            var fromJson = new StringBuilder("user_id,visits\n");
            json.forEach(row -> fromJson.append(row.get("user_id").asText()).append(',').append(row.get("visits").asText()).append('\n'));
            assertThat(top).isEqualTo(fromJson.toString());

            var groupBy = client.get("/api/reports/visits_summary.csv?source=groupby&order=user_id,section,visit_date").body().string();
            var view = client.get("/api/reports/visits_summary.csv?source=view&order=user_id,section,visit_date").body().string();
            assertThat(groupBy).isEqualTo(view).hasLineCount(1 + TestDatabase.dsl(dataSource).fetchCount(dev.vista.generated.Tables.VISITS_SUMMARY));
        });
    }

    @Test
    void zero_rows_still_download_the_header_and_bom_and_raw_are_honoured() {
        TestApp.serve(config, dataSource, (server, client) -> {
            assertThat(client.get("/api/reports/visit_log.csv?visit_id=lt.0&select=visit_id,email").body().string()).isEqualTo("visit_id,email\n");
            var bom = client.get("/api/reports/visit_log.csv?visit_id=eq.1&select=visit_id&bom=true").body().string();
            assertThat(bom).isEqualTo("\uFEFFvisit_id\n1\n");
            var bad = client.get("/api/reports/visit_log.csv?raw=maybe");
            assertThat(bad.code()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body().string()).get("message").asText()).isEqualTo("raw must be true or false, got 'maybe'");
        });
    }

    @Test
    void errors_before_the_first_byte_are_json_with_their_status() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var unknown = client.get("/api/reports/visit_log.csv?nope=eq.1");
            assertThat(unknown.code()).isEqualTo(400);
            assertThat(unknown.headers().get("Content-Type").getFirst()).startsWith("application/json");
            assertThat(unknown.headers().get("Content-Disposition")).isNull();
            var missing = client.get("/api/reports/no_such.csv");
            assertThat(missing.code()).isEqualTo(404);
        });
        var impatient = new Config("127.0.0.1", 0, "token", false, Duration.ofMillis(1), config.database(), config.refresh(), config.access(),
                config.pages(), false, config.replicas(), config.answerCacheMegabytes());
        TestApp.serve(impatient, dataSource, (server, client) -> {
            var timeout = client.get("/api/reports/visits_summary.csv?source=groupby");
            assertThat(timeout.code()).isEqualTo(504);
            assertThat(JSON.readTree(timeout.body().string()).get("code").asText()).isEqualTo("statement_timeout");
            assertThat(timeout.headers().get("Content-Disposition")).isNull();
        });
    }

    @Test
    void gzip_is_used_when_the_client_accepts_it() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var http = HttpClient.newHttpClient();
            var request = HttpRequest.newBuilder(URI.create(client.getOrigin() + "/api/reports/visit_log.csv?limit=5000&order=visit_id"))
                    .header("Accept-Encoding", "gzip").build();
            var response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.headers().firstValue("Content-Encoding")).contains("gzip");
            var text = new String(new GZIPInputStream(response.body()).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(parse(text)).hasSize(5000);
        });
    }

    @Test
    void a_client_that_disconnects_mid_download_cancels_the_query_and_frees_the_connection() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var http = HttpClient.newHttpClient();
            var request = HttpRequest.newBuilder(URI.create(client.getOrigin() + "/api/reports/visit_log.csv")).build();
            var response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (var body = response.body()) {
                assertThat(body.readNBytes(4096)).hasSize(4096);
            } // closing the stream early drops the connection
            var dsl = TestDatabase.dsl(dataSource);
            var deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int copies;
            int active;
            do {
                copies = dsl.resultQuery("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%' AND state = 'active'").fetchOne(0, Integer.class);
                active = dataSource.getHikariPoolMXBean().getActiveConnections();
            } while ((copies > 0 || active > 0) && System.nanoTime() < deadline);
            assertThat(copies).as("COPY statements still running").isZero();
            assertThat(active).as("connections still borrowed from the pool").isZero();
        });
    }
}
