package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import dev.vista.web.page.Assets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The jar's static files (the pages' assets, the WebJars): their bytes, types, validators, and nothing else of the jar. */
class JarFilesTest {

    static final Config CONFIG = Config.fromEnvironment(Map.of());
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Assets ASSETS = Assets.fromClasspath();
    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("jar_files");
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static HttpResponse<byte[]> send(String origin, String method, String path, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(origin + path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] classpath(String path) throws IOException {
        try (var in = JarFilesTest.class.getResourceAsStream(path)) {
            return in.readAllBytes();
        }
    }

    @Test
    void assets_and_webjar_files_are_the_jars_bytes_with_their_type_cached_for_a_year() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var origin = client.getOrigin();
            var css = send(origin, "GET", ASSETS.css());
            assertThat(css.statusCode()).isEqualTo(200);
            assertThat(css.body()).isEqualTo(classpath("/assets/vista.css"));
            assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
            assertThat(css.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
            assertThat(css.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(css.headers().firstValue("ETag")).hasValueSatisfying(etag -> assertThat(etag).matches("\"[0-9a-f]{32}\""));

            var uplot = send(origin, "GET", ASSETS.uplotScript());
            assertThat(uplot.statusCode()).isEqualTo(200);
            assertThat(uplot.body()).isEqualTo(classpath("/META-INF/resources" + ASSETS.uplotScript()));
            assertThat(uplot.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
            assertThat(uplot.headers().firstValue("ETag")).isNotEqualTo(css.headers().firstValue("ETag"));

            var head = send(origin, "HEAD", ASSETS.chartScript());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("ETag")).isEqualTo(send(origin, "GET", ASSETS.chartScript()).headers().firstValue("ETag"));
        });
    }

    @Test
    void a_client_holding_the_file_gets_304_and_one_holding_another_version_gets_the_file() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var origin = client.getOrigin();
            var etag = send(origin, "GET", ASSETS.uplotCss()).headers().firstValue("ETag").orElseThrow();
            for (var held : List.of(etag, "W/" + etag, "\"other\", " + etag, "*")) {
                var revalidated = send(origin, "GET", ASSETS.uplotCss(), "If-None-Match", held);
                assertThat(revalidated.statusCode()).as(held).isEqualTo(304);
                assertThat(revalidated.body()).as(held).isEmpty();
                assertThat(revalidated.headers().firstValue("ETag")).as(held).hasValue(etag);
                assertThat(revalidated.headers().firstValue("Content-Type")).as(held).isEmpty();
                assertThat(revalidated.headers().firstValue("Content-Length")).as(held).isEmpty();
            }
            var stale = send(origin, "GET", ASSETS.uplotCss(), "If-None-Match", "\"other\"");
            assertThat(stale.statusCode()).isEqualTo(200);
            assertThat(stale.body()).isEqualTo(classpath("/META-INF/resources" + ASSETS.uplotCss()));
        });
    }

    @Test
    void nothing_outside_the_directories_nor_a_directory_nor_a_missing_file_is_served() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var origin = client.getOrigin();
            var dist = ASSETS.uplotScript().substring(0, ASSETS.uplotScript().lastIndexOf('/'));
            var stale = ASSETS.css().replace(ASSETS.hostedPath(), "/assets/000000000000");
            for (var path : List.of("/webjars/nope.js", dist, dist + "/", stale, "/webjars/%2e%2e/application.conf", "/webjars/uplot/..%2f..%2fdev/vista/Vista.class",
                    ASSETS.hostedPath() + "/.%2e/assets/vista.css", "/webjars/.hidden.js", ASSETS.hostedPath() + "/simplelogger.properties")) {
                var response = send(origin, "GET", path);
                assertThat(response.statusCode()).as(path).isIn(400, 404);
                assertThat(response.headers().firstValue("Content-Type")).as(path).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
                assertThat(new String(response.body())).as(path).startsWith("{\"code\":");
            }
        });
    }
}
