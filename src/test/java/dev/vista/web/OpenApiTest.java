package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/openapi.json: a valid OpenAPI 3.1 document with a path per report and its columns as parameters. */
class OpenApiTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("openapi");
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void the_document_is_valid_openapi_3_1_according_to_swagger_parser() {
        TestApp.serve(Config.fromEnvironment(Map.of()), dataSource, (server, client) -> {
            var response = client.get("/api/openapi.json");
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.headers().get("Content-Type").getFirst()).startsWith("application/json");
            var options = new ParseOptions();
            options.setResolve(true);
            var result = new OpenAPIV3Parser().readContents(response.body().string(), null, options);
            assertThat(result.getMessages()).isEmpty();
            // and the parser does notice a broken document (no info, a response without description)
            var broken = new OpenAPIV3Parser().readContents("{\"openapi\":\"3.1.0\",\"paths\":{\"/x\":{\"get\":{\"responses\":{\"200\":{}}}}}}", null, options);
            assertThat(broken.getMessages()).isNotEmpty();
            assertThat(result.getOpenAPI().getSpecVersion()).isEqualTo(SpecVersion.V31);
            assertThat(result.getOpenAPI().getPaths()).containsKeys("/api/reports", "/api/reports/visits_summary",
                    "/api/reports/visits_summary/compare", "/api/reports/section_daily", "/api/reports/daily_totals");
        });
    }

    @Test
    void each_report_has_its_columns_as_filters_and_a_row_schema_typed_from_the_columns() {
        TestApp.serve(Config.fromEnvironment(Map.of()), dataSource, (server, client) -> {
            var document = JSON.readTree(client.get("/api/openapi.json").body().string());
            assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
            var get = document.at("/paths/~1api~1reports~1visits_summary/get");
            assertThat(get.get("summary").asText()).isEqualTo("Visits per user, section and day");
            assertThat(get.get("parameters").findValuesAsText("name")).containsExactly(
                    "user_id", "section", "visit_date", "visits", "select", "order", "limit", "offset", "source", "count", "Prefer");
            assertThat(get.at("/parameters/8/schema/enum").toString()).isEqualTo("[\"view\",\"materialized\",\"groupby\"]");
            assertThat(get.at("/parameters/6/schema").toString()).isEqualTo("{\"type\":\"integer\",\"minimum\":0,\"maximum\":10000,\"default\":100}");
            assertThat(get.at("/responses/200/content/application~1json/schema/items/$ref").asText()).isEqualTo("#/components/schemas/visits_summary");
            assertThat(get.at("/responses").fieldNames()).toIterable().containsExactly("200", "206", "400", "404", "406", "503", "504");
            assertThat(document.at("/components/schemas/visits_summary/properties").toString()).isEqualTo("{"
                    + "\"user_id\":{\"type\":[\"integer\",\"null\"],\"format\":\"int64\",\"description\":\"bigint\"},"
                    + "\"section\":{\"type\":[\"string\",\"null\"],\"description\":\"text\"},"
                    + "\"visit_date\":{\"type\":[\"string\",\"null\"],\"format\":\"date\",\"description\":\"date\"},"
                    + "\"visits\":{\"type\":[\"integer\",\"null\"],\"format\":\"int64\",\"description\":\"bigint\"}}");
            assertThat(document.at("/components/schemas/section_daily/properties/p50_duration_ms/type").toString()).isEqualTo("[\"number\",\"null\"]");
            assertThat(document.at("/components/schemas/user_stats/properties/first_visit/format").asText()).isEqualTo("date-time");
            assertThat(unresolvedRefs(document, document)).isEmpty();
        });
    }

    /** Every "$ref" in the document points at something that exists. */
    static List<String> unresolvedRefs(JsonNode root, JsonNode node) {
        var missing = new ArrayList<String>();
        if (node.isObject()) {
            var ref = node.get("$ref");
            if (ref != null && root.at(ref.asText().substring(1)).isMissingNode()) {
                missing.add(ref.asText());
            }
            node.forEach(child -> missing.addAll(unresolvedRefs(root, child)));
        } else if (node.isArray()) {
            node.forEach(child -> missing.addAll(unresolvedRefs(root, child)));
        }
        return missing;
    }
}
