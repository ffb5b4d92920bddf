package dev.vista.web;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.AccessFixture;
import dev.vista.testing.ReportFixture;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Answers of stored rows kept until the next refresh ({@link KeptAnswers}). That a kept answer reads nothing is shown
 * with the relation locked by another transaction: a read would wait on the lock until the statement timeout (504),
 * a kept answer is sent at once, the same bytes as before.
 */
class KeptAnswersTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "kept-answers-admin";
    static final Map<String, String> ENV = Map.of("VISTA_ADMIN_TOKEN", TOKEN, "VISTA_STATEMENT_TIMEOUT", "1s");
    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("kept_answers");
        ReportFixture.load(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static void admin(Request.Builder request) {
        request.header("Authorization", "Bearer " + TOKEN);
    }

    static void readAnew(Request.Builder request) {
        request.header("Cache-Control", "no-cache");
    }

    /** What a client gets: the status, the headers that describe the answer, and the body. */
    record Got(int status, String etag, String contentType, String contentRange, String body) {
        static Got of(io.javalin.testtools.Response response) throws IOException {
            return new Got(response.code(), header(response, "ETag"), header(response, "Content-Type"), header(response, "Content-Range"),
                    response.body().string());
        }

        private static String header(io.javalin.testtools.Response response, String name) {
            var values = response.headers().get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    static Got get(HttpClient client, String path, Consumer<Request.Builder> request) throws IOException {
        return Got.of(client.get(path, request));
    }

    static Got get(HttpClient client, String path) throws IOException {
        return get(client, path, request -> { });
    }

    /**
     * Runs {@code body} while another transaction holds {@code relation} in ACCESS EXCLUSIVE mode, no read getting
     * past it: a table locked, a materialized view in a (plain) refresh that is then rolled back.
     */
    static void locked(DataSource database, String relation, ThrowingRunnable body) throws Exception {
        try (var connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                statement.execute(relation.equals("page_visits") ? "LOCK TABLE page_visits IN ACCESS EXCLUSIVE MODE"
                        : "REFRESH MATERIALIZED VIEW " + relation);
                body.run();
            } finally {
                connection.rollback();
            }
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static void refresh(HttpClient client, String view) {
        assertThat(client.post("/api/admin/views/" + view + "/refresh", "", KeptAnswersTest::admin).code()).isEqualTo(200);
    }

    @Test
    void a_stored_answer_is_sent_again_without_reading_the_view_until_the_next_refresh() {
        TestApp.serve(Config.fromEnvironment(ENV), dataSource, (server, client) -> {
            refresh(client, "visits_summary_mv");
            var path = "/api/reports/visits_summary_mv?limit=3&order=visits.desc";
            var first = get(client, path);
            assertThat(first.status()).isEqualTo(200);
            assertThat(JSON.readTree(first.body())).hasSize(3);
            var counted = get(client, path, request -> request.header("Prefer", "count=exact"));
            assertThat(counted.status()).isEqualTo(206);

            locked(dataSource, "visits_summary_mv", () -> {
                assertThat(get(client, path)).as("kept: nothing read").isEqualTo(first);
                assertThat(get(client, path, request -> request.header("Prefer", "count=exact"))).as("with its status and Content-Range")
                        .isEqualTo(counted);
                assertThat(get(client, path, KeptAnswersTest::readAnew).status()).as("Cache-Control: no-cache reads, and waits on the lock")
                        .isEqualTo(504);
                assertThat(get(client, "/api/reports/visits_summary_mv?limit=2&order=visits.desc").status()).as("another query is read")
                        .isEqualTo(504);
                assertThat(get(client, path, request -> request.header("Accept", "application/vnd.pgrst.object+json")).status())
                        .as("another format is read").isEqualTo(504);
            });
            assertThat(get(client, path, KeptAnswersTest::readAnew)).as("read anew: the same answer, the rows being the same").isEqualTo(first);

            // new visits that would top the order: stored rows are as of the refresh, so kept or read, the answer stays
            var dsl = TestDatabase.dsl(dataSource);
            var insert = dsl.insertInto(PAGE_VISITS, PAGE_VISITS.ID, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS);
            for (long id = 9_100; id < 9_200; id++) {
                insert = insert.values(id, 1L, "billing", ReportFixture.at("2026-01-12T11:00:00Z"), 100);
            }
            insert.execute();
            assertThat(get(client, path)).isEqualTo(first);

            refresh(client, "visits_summary_mv");
            var refreshed = get(client, path);
            assertThat(refreshed.etag()).isNotEqualTo(first.etag());
            assertThat(refreshed.body()).isNotEqualTo(first.body()).contains("\"section\":\"billing\"");
            assertThat(get(client, path, KeptAnswersTest::readAnew)).as("what the view holds now").isEqualTo(refreshed);
            locked(dataSource, "visits_summary_mv", () -> assertThat(get(client, path)).isEqualTo(refreshed));
        });
    }

    @Test
    void a_kept_answer_is_compressed_for_a_client_that_accepts_gzip_as_the_answer_read_was() {
        TestApp.serve(Config.fromEnvironment(ENV), dataSource, (server, client) -> {
            // a page over Javalin's least size for compression (1,500 bytes): a hundred rows of one user, a day each
            TestDatabase.dsl(dataSource).execute("""
                    INSERT INTO page_visits (id, user_id, section, visit_time, duration_ms)
                    SELECT 9300 + d, 2, 'reports', timestamptz '2025-06-01 12:00+00' + d * interval '1 day', 10 FROM generate_series(1, 100) AS d""");
            refresh(client, "visits_summary_mv");
            var uri = java.net.URI.create("http://localhost:" + server.port() + "/api/reports/visits_summary_mv?user_id=eq.2&section=eq.reports&limit=200");
            var http = java.net.http.HttpClient.newHttpClient();
            var gzip = java.net.http.HttpRequest.newBuilder(uri).header("Accept-Encoding", "gzip").build();
            var read = http.send(gzip, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            var kept = http.send(gzip, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(kept.statusCode()).isEqualTo(200);
            assertThat(kept.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(gunzip(kept.body())).isEqualTo(gunzip(read.body())).startsWith("[{\"user_id\":2,\"section\":\"reports\"");
            assertThat(JSON.readTree(gunzip(kept.body()))).hasSize(100);
            var plain = http.send(java.net.http.HttpRequest.newBuilder(uri).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(plain.body()).isEqualTo(gunzip(read.body()));
        });
    }

    static String gunzip(byte[] bytes) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void plain_views_real_time_reads_csv_and_a_cache_of_no_megabytes_read_every_time() {
        TestApp.serve(Config.fromEnvironment(ENV), dataSource, (server, client) -> {
            refresh(client, "section_daily");
            var reads = Map.of("/api/reports/visits_summary?limit=3", "page_visits", "/api/reports/section_daily?realtime=true&limit=3", "page_visits",
                    "/api/reports/section_daily.csv?limit=3", "section_daily");
            for (var read : reads.entrySet()) {
                assertThat(get(client, read.getKey()).status()).isEqualTo(200);
                assertThat(get(client, read.getKey()).status()).isEqualTo(200);
                locked(dataSource, read.getValue(), () -> assertThat(get(client, read.getKey()).status()).as(read.getKey()).isEqualTo(504));
            }
        });
        var none = new java.util.HashMap<>(ENV);
        none.put("VISTA_ANSWER_CACHE_MB", "0");
        TestApp.serve(Config.fromEnvironment(none), dataSource, (server, client) -> {
            refresh(client, "visits_summary_mv");
            assertThat(get(client, "/api/reports/visits_summary_mv?limit=3").status()).isEqualTo(200);
            locked(dataSource, "visits_summary_mv", () -> assertThat(get(client, "/api/reports/visits_summary_mv?limit=3").status()).isEqualTo(504));
        });
    }

    @Test
    void answers_without_a_token_are_kept_and_answers_read_with_one_never_are() throws SQLException {
        try (var fixture = AccessFixture.create("kept_answers_access")) {
            TestApp.serve(fixture.config("VISTA_STATEMENT_TIMEOUT", "1s"), fixture.vista, (server, client) -> {
                var path = "/api/reports/visits_summary_mv?limit=3";
                Consumer<Request.Builder> analyst = request -> request.header("Authorization", "Bearer " + fixture.token(fixture.analyst, null));
                assertThat(client.post("/api/admin/views/visits_summary_mv/refresh", "", analyst).code()).isEqualTo(200);
                var anonymous = get(client, path);
                var read = get(client, path, analyst);
                assertThat(anonymous.status()).isEqualTo(200);
                assertThat(read.status()).isEqualTo(200);
                assertThat(read.etag()).as("callers never share a validator").isNotEqualTo(anonymous.etag());
                locked(fixture.superuser, "visits_summary_mv", () -> {
                    assertThat(get(client, path)).as("the anonymous role's answer is kept").isEqualTo(anonymous);
                    assertThat(get(client, path, analyst).status()).as("a token's is read as its role").isEqualTo(504);
                });
            });
        }
    }

    @Test
    void the_memory_for_kept_answers_is_64_megabytes_unless_set_and_what_is_not_a_size_is_refused() {
        assertThat(Config.fromEnvironment(Map.of()).answerCacheMegabytes()).isEqualTo(64);
        assertThat(Config.fromEnvironment(Map.of("VISTA_ANSWER_CACHE_MB", " 0 ")).answerCacheMegabytes()).isZero();
        for (var wrong : new String[] {"-1", "64MB", "lots", "9999999999"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Config.fromEnvironment(Map.of("VISTA_ANSWER_CACHE_MB", wrong)))
                    .as(wrong).isInstanceOf(dev.vista.config.ConfigException.class)
                    .hasMessage("VISTA_ANSWER_CACHE_MB=" + wrong + " is not a whole number from 0 to 1048576");
        }
    }

    @Test
    void the_copy_of_an_answer_is_given_up_once_it_would_outgrow_the_largest_kept_one_and_the_answer_is_written_whole() throws IOException {
        var small = new ByteArrayOutputStream();
        var kept = new KeptAnswers.Copying(small, 20_000);
        var text = "0123456789".repeat(1_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        kept.write(text, 0, text.length);
        kept.write('!');
        assertThat(kept.bytes()).hasValueSatisfying(copy -> assertThat(new String(copy, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo(small.toString(java.nio.charset.StandardCharsets.US_ASCII)).hasSize(10_001));

        var large = new ByteArrayOutputStream();
        var given = new KeptAnswers.Copying(large, 20_000);
        for (int i = 0; i < 3; i++) {
            given.write(text, 0, text.length);
        }
        assertThat(given.bytes()).isEmpty();
        assertThat(large.size()).isEqualTo(30_000);
    }
}
