package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's first endpoints, through real HTTP against a real, seeded PostgreSQL. */
class ServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static HikariDataSource dataSource;
    static Config config = Config.fromEnvironment(Map.of());

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("server");
        TestDatabase.demoData(dataSource).seedIfEmpty();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void health_is_ok_when_the_database_answers() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var response = client.get("/health");
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("{\"status\":\"ok\"}");
        });
    }

    @Test
    void health_is_503_when_the_database_is_unreachable() {
        try (var unreachable = TestDatabase.unreachable()) {
            TestApp.serve(config, unreachable, (server, client) -> {
                var response = client.get("/health");
                assertThat(response.code()).isEqualTo(503);
                assertThat(JSON.readTree(response.body().string()).get("code").asText()).isEqualTo("database_unavailable");
            });
        }
    }

    @Test
    void the_catalogue_lists_every_view_and_materialized_view_with_its_columns_and_sources() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var response = client.get("/api/reports");
            assertThat(response.code()).isEqualTo(200);
            var reports = JSON.readTree(response.body().string());
            assertThat(reports.findValuesAsText("name")).containsSubsequence(
                    "daily_totals", "section_daily", "user_stats", "visit_log", "visits_summary", "visits_summary_mv");
            var summary = find(reports, "visits_summary");
            assertThat(summary.get("title").asText()).isEqualTo("Visits per user, section and day");
            assertThat(summary.get("kind").asText()).isEqualTo("view");
            assertThat(JSON.convertValue(summary.get("sources"), List.class)).containsExactly("view", "materialized", "groupby");
            assertThat(summary.get("freshness").get("relation").asText()).isEqualTo("visits_summary_mv");
            assertThat(summary.get("freshness").get("populated").asBoolean()).isTrue();
            assertThat(JSON.convertValue(find(reports, "user_stats").get("sources"), List.class)).containsExactly("view", "groupby");
            assertThat(find(reports, "user_stats").get("freshness").isNull()).isTrue();
            assertThat(find(reports, "section_daily").get("freshness").get("relation").asText()).isEqualTo("section_daily");
            assertThat(find(reports, "section_daily").get("freshness").get("populated").asBoolean()).isTrue();
            assertThat(summary.get("columns").toString()).isEqualTo(
                    "[{\"name\":\"user_id\",\"type\":\"bigint\"},{\"name\":\"section\",\"type\":\"text\"},"
                            + "{\"name\":\"visit_date\",\"type\":\"date\"},{\"name\":\"visits\",\"type\":\"bigint\"}]");
            assertThat(find(reports, "section_daily").get("kind").asText()).isEqualTo("materialized_view");
        });
    }

    @Test
    void a_report_returns_its_first_hundred_rows_as_json_in_key_order() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var response = client.get("/api/reports/visits_summary");
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.headers().get("Content-Type").getFirst()).startsWith("application/json");
            var rows = JSON.readTree(response.body().string());
            assertThat(rows).hasSize(100);
            var expected = TestDatabase.dsl(dataSource).resultQuery("""
                    SELECT user_id, section, visit_date::text, visits FROM visits_summary
                    ORDER BY user_id, section, visit_date LIMIT 1
                    """).fetchOne();
            var first = rows.get(0);
            assertThat(first.get("user_id").asLong()).isEqualTo(expected.get(0, Long.class));
            assertThat(first.get("section").asText()).isEqualTo(expected.get(1, String.class));
            assertThat(first.get("visit_date").asText()).isEqualTo(expected.get(2, String.class));
            assertThat(first.get("visits").asLong()).isEqualTo(expected.get(3, Long.class));
        });
    }

    @Test
    void an_unknown_report_is_a_404_with_a_json_error() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var response = client.get("/api/reports/no_such_report");
            assertThat(response.code()).isEqualTo(404);
            assertThat(response.body().string()).isEqualTo(
                    "{\"code\":\"unknown_report\",\"message\":\"no report named 'no_such_report'\",\"details\":null,\"hint\":\"GET /api/reports lists them\"}");
            var unknownPath = client.get("/no/such/path");
            assertThat(unknownPath.code()).isEqualTo(404);
            assertThat(JSON.readTree(unknownPath.body().string()).get("code").asText()).isEqualTo("not_found");
        });
    }

    static JsonNode find(JsonNode reports, String name) {
        for (var report : reports) {
            if (report.get("name").asText().equals(name)) {
                return report;
            }
        }
        throw new AssertionError("no report " + name);
    }
}
