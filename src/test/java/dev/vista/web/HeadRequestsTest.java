package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.ReportFixture;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HEAD is GET without the body (RFC 9110, 9.3.2): the same status and headers, for reports, pages and errors alike. */
class HeadRequestsTest {

    static final Config CONFIG = Config.fromEnvironment(Map.of());
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("head_requests");
        ReportFixture.load(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static HttpResponse<byte[]> send(String origin, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(origin + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The headers a HEAD must repeat; Date and Content-Length may differ (a HEAD of a streamed answer has no length). */
    static Map<String, List<String>> comparable(HttpHeaders headers) {
        var map = new java.util.TreeMap<>(headers.map());
        map.remove("date");
        map.remove("content-length");
        map.remove("x-data-age"); // seconds since the refresh, read a moment later
        return map;
    }

    @Test
    void head_answers_what_get_answers_without_the_body() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var origin = client.getOrigin();
            for (var path : List.of("/api/reports/visits_summary_mv?section=eq.index", "/api/reports/visits_summary_mv.csv", "/api/reports",
                    "/reports/visits_summary_mv?limit=2", "/", "/health", "/api/reports/nope", "/api/reports/visits_summary?nope=eq.1",
                    "/reports/nope")) {
                var get = send(origin, "GET", path);
                var head = send(origin, "HEAD", path);
                assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
                assertThat(comparable(head.headers())).as(path).isEqualTo(comparable(get.headers()));
                assertThat(head.body()).as(path).isEmpty();
                assertThat(get.body()).as(path).isNotEmpty();
            }
            assertThat(send(origin, "HEAD", "/api/reports/nope").statusCode()).isEqualTo(404);
            var stored = send(origin, "GET", "/api/reports/visits_summary_mv");
            var etag = stored.headers().firstValue("ETag").orElseThrow();
            var revalidated = HTTP.send(HttpRequest.newBuilder(URI.create(origin + "/api/reports/visits_summary_mv"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(revalidated.statusCode()).isEqualTo(304);
        });
    }
}
