package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/docs: Swagger UI from the jar over /api/openapi.json, every file it loads served by Vista, no inline script. */
class ApiDocsTest {

    static final Pattern SCRIPT = Pattern.compile("<script\\b([^>]*)>(.*?)</script>", Pattern.DOTALL);
    static final Pattern LOADED = Pattern.compile("(?:src|href)=\"([^\"]+)\"");
    static HikariDataSource dataSource;
    static Config config = Config.fromEnvironment(Map.of());

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("api_docs");
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void the_docs_page_is_swagger_ui_from_the_jar_over_the_openapi_document_with_a_strict_script_policy() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var page = client.get("/api/docs");
            assertThat(page.code()).isEqualTo(200);
            assertThat(page.headers().get("Content-Type").getFirst()).startsWith("text/html");
            var policy = page.headers().get("Content-Security-Policy").getFirst();
            assertThat(policy).contains("default-src 'none'", "script-src 'self';", "connect-src 'self'");
            assertThat(policy.split(";")[1]).as("script-src").doesNotContain("unsafe");
            var html = page.body().string();
            assertThat(html).contains("data-spec=\"/api/openapi.json\"", "<script src=\"/api/docs/init.js\"></script>")
                    .doesNotContain("http://", "https://", "${");

            var scripts = SCRIPT.matcher(html);
            while (scripts.find()) {
                assertThat(scripts.group(1)).as("every script is a file").contains("src=");
                assertThat(scripts.group(2)).as("and has no inline code").isBlank();
            }
            var loaded = LOADED.matcher(html);
            var count = 0;
            while (loaded.find()) {
                var response = client.get(loaded.group(1));
                assertThat(response.code()).as(loaded.group(1)).isEqualTo(200);
                count++;
            }
            assertThat(count).as("stylesheet, icon, Swagger UI's bundle, our init.js, the document").isEqualTo(5);
            assertThat(client.get(html.replaceAll("(?s).*<script src=\"(/webjars/swagger-ui/[^\"]+)\".*", "$1")).body().string())
                    .contains("SwaggerUIBundle");

            var init = client.get("/api/docs/init.js");
            assertThat(init.headers().get("Content-Type").getFirst()).startsWith("text/javascript");
            assertThat(init.body().string()).contains("SwaggerUIBundle(", "root.dataset.spec", "validatorUrl: null");
            assertThat(client.get("/api/openapi.json").body().string()).startsWith("{\"openapi\":\"3.1.0\"");
            assertThat(client.get("/api/reports").headers().get("Link"))
                    .containsExactly("</api/openapi.json>; rel=\"service-desc\", </api/docs>; rel=\"service-doc\"");
        });
    }
}
