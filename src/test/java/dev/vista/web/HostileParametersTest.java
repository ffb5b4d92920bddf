package dev.vista.web;

import static dev.vista.testing.ReportFixture.param;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.ReportFixture;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of hostile or malformed parameters (SQL fragments, quotes, unicode, huge numbers, empty and repeated
 * parameters) in every position a client controls. Each gets a 4xx JSON error or a correct 200, never a 5xx,
 * and the data is the same afterwards.
 */
class HostileParametersTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("hostile");
        ReportFixture.load(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static final List<String> VALUES = List.of(
            "", " ", "'", "''", "\"", "\\", "\\'", "`", ";", "--", "/*", "*/", "%", "%%", "*", "**", "_", "(", ")", "()", ",", ".", "..",
            "' OR '1'='1", "1 OR 1=1", "1; DROP TABLE users; --", "'; DELETE FROM page_visits; --", "1); TRUNCATE page_visits; --",
            "$$; DROP TABLE users; $$", "1 UNION SELECT username, email FROM users", "(SELECT 1)", "1::text", "pg_sleep(10)",
            "0x41", "E'\\x00'", "NULL", "null", "true", "unknown", "not_null", "DEFAULT", "\u0000", "a\u0000b", "\n", "\r\n", "\t",
            "é", "日本語", "😀", "\u202Eevil", "\uFEFF1", "ｄａｓｈｂｏａｒｄ", "١٢٣", "Ⅻ", "ß", "İ",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999999999999",
            "1e308", "1e999999", "-1", "-0", "0", "+1", "1.5", "NaN", "Infinity", "-Infinity", "0x10", "1_000",
            "2026-02-30", "2026-13-01", "0000-00-00", "99999-01-01", "2026-01-10T25:00:00Z", "2026-01-10T10:00:00+99:00",
            "infinity", "epoch", "now", "today", "2026-01-10 10:00:00 UTC", "x".repeat(5000));

    static final List<String> TEMPLATES = List.of(
            "user_id=eq.%s", "user_id=in.(%s)", "section=eq.%s", "section=like.%s", "section=ilike.*%s*", "section=in.(%s,\"%s\")",
            "visit_date=gte.%s", "visits=%s", "order=%s", "select=%s", "limit=%s", "offset=%s", "source=%s", "%s=eq.1", "section=%s.x");

    record Hit(String path, int status, String body) {
    }

    @Test
    void hostile_parameters_get_a_json_4xx_or_a_correct_answer_and_never_change_the_data() throws Exception {
        var before = fingerprint();
        var paths = new ArrayList<String>();
        // every value in four positions, rotating so that every position sees a quarter of the values
        for (int i = 0; i < VALUES.size(); i++) {
            var value = VALUES.get(i);
            for (int j = 0; j < 4; j++) {
                var text = TEMPLATES.get((i + j * 4) % TEMPLATES.size()).replace("%s", value);
                var parameterName = text.startsWith(value + "=eq.1") && !value.isEmpty();
                var eq = parameterName ? value.length() : text.indexOf('=');
                paths.add("/api/reports/visits_summary?" + param(text.substring(0, eq), text.substring(eq + 1)));
            }
        }
        for (var value : VALUES.subList(0, 40)) {
            paths.add("/api/reports/" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
            paths.add("/api/reports/visit_log?" + param("visit_time", "lt." + value) + "&" + param("email", "is." + value));
            paths.add("/api/reports/visits_summary/compare?" + param("section", "eq." + value));
        }
        // repeated and empty parameters, raw unusual query strings
        paths.addAll(List.of(
                "/api/reports/visits_summary?limit=1&limit=1", "/api/reports/visits_summary?order=visits&order=user_id",
                "/api/reports/visits_summary?select=visits&select=user_id", "/api/reports/visits_summary?source=view&source=groupby",
                "/api/reports/visits_summary?offset=1&offset=2", "/api/reports/visits_summary?section=eq.index&section=eq.index",
                "/api/reports/visits_summary?&&&", "/api/reports/visits_summary?=", "/api/reports/visits_summary?=eq.1",
                "/api/reports/visits_summary?limit", "/api/reports/visits_summary?limit=", "/api/reports/visits_summary?order=",
                "/api/reports/visits_summary?select=", "/api/reports/visits_summary?select=,", "/api/reports/visits_summary?order=,",
                "/api/reports/visits_summary?order=visits.desc.desc", "/api/reports/visits_summary?order=visits.nullsfirst.asc",
                "/api/reports/visits_summary?user_id", "/api/reports/visits_summary?user_id=", "/api/reports/visits_summary?user_id=eq",
                "/api/reports/visits_summary?user_id=eq.", "/api/reports/visits_summary?user_id=not.", "/api/reports/visits_summary?user_id=not.not.eq.1",
                "/api/reports/visits_summary?user_id=in.", "/api/reports/visits_summary?user_id=in.(", "/api/reports/visits_summary?user_id=in.)(",
                "/api/reports/visits_summary?section=in.(%22a%22%22b%22)", "/api/reports/visits_summary?section=in.(%22a%5C%22)",
                "/api/reports/visits_summary?section=eq.%25",
                "/api/reports/visits_summary?section=eq.%C0%AF", "/api/reports/visits_summary?section=eq.%ED%A0%80",
                "/api/reports/visits_summary?and=(user_id.eq.1)", "/api/reports/visits_summary?or=(user_id.eq.1,user_id.eq.2)",
                "/api/reports/visits_summary?on_conflict=user_id", "/api/reports/visits_summary?columns=user_id",
                "/api/reports/visits_summary?select=user_id::text", "/api/reports/visits_summary?select=users(*)",
                "/api/reports/visits_summary?order=random()", "/api/reports/visits_summary?limit=10000&offset=9223372036854775807",
                "/api/reports/visits_summary?offset=9223372036854775808", "/api/reports/visits_summary?limit=0x10",
                "/api/reports/visits_summary?" + "user_id=gte.0&".repeat(200) + "limit=1",
                "/api/reports/visits_summary?" + "a=1&".repeat(50),
                "/api/reports/visits_summary.csv", "/api/reports//compare", "/api/reports/visits_summary/compare/extra",
                "/api/reports/..%2F..%2Fetc%2Fpasswd", "/api/reports/visits_summary%00", "/api/reports/pg_catalog.pg_user",
                "/api/reports/users", "/api/reports/page_visits", "/api/reports/VISITS_SUMMARY", "/api/reports/visits_summary%20"));

        var hits = new ArrayList<Hit>();
        TestApp.serve(Config.fromEnvironment(Map.of()), dataSource, (server, client) -> {
            for (var path : paths) {
                var response = client.get(path, req -> req.header("Prefer", "count=exact"));
                hits.add(new Hit(path, response.code(), response.body().string()));
            }
            // what java.net.http refuses to send (malformed escapes), sent on a plain socket
            for (var raw : List.of("/api/reports/visits_summary?section=eq.%zz", "/api/reports/visits_summary?%zz=eq.1",
                    "/api/reports/visits_summary?section=eq.%", "/api/reports/visits_summary?section=eq.a b", "/api/reports/%zz")) {
                hits.add(rawGet(server.port(), raw));
            }
            // hostile headers too
            for (var accept : List.of("", "*/*;q=oops", "text/csv", "application/vnd.pgrst.object+json;nulls=stripped", "\u00e9", "application/json, */*")) {
                var response = client.get("/api/reports/visits_summary?user_id=eq.1&section=eq.index", req -> req.header("Accept", accept));
                hits.add(new Hit("Accept: " + accept, response.code(), response.body().string()));
            }
        });

        assertThat(hits).hasSizeGreaterThanOrEqualTo(200);
        var statuses = new java.util.TreeMap<Integer, Long>(hits.stream().collect(java.util.stream.Collectors.groupingBy(Hit::status, java.util.stream.Collectors.counting())));
        System.out.println("[hostile] " + hits.size() + " requests, by status: " + statuses);
        assertThat(hits.stream().map(HostileParametersTest::problem).filter(p -> !p.isEmpty()).toList()).isEmpty();
        assertThat(hits.stream().filter(h -> h.status() == 200).count()).as("some hostile values are valid text and match nothing").isPositive();
        assertThat(fingerprint()).isEqualTo(before);
    }

    /** What is wrong with a response, or "" when it is a JSON 4xx error or a 200 with at most the report's rows. */
    static String problem(Hit hit) {
        var where = hit.path() + " -> " + hit.status() + " " + hit.body().substring(0, Math.min(300, hit.body().length()));
        if (hit.status() < 200 || hit.status() >= 500) {
            return where;
        }
        if (hit.status() == 200 && (hit.path().contains(".csv") || hit.path().equals("Accept: text/csv"))) {
            // CSV: a header and at most the report's six rows
            var lines = hit.body().split("\n");
            return lines[0].equals("user_id,section,visit_date,visits") && lines.length <= 7 ? "" : where;
        }
        try {
            var body = JSON.readTree(hit.body());
            if (hit.status() >= 400) {
                var wellFormed = body.has("code") && body.has("message") && body.has("details") && body.has("hint");
                return wellFormed && !hit.body().contains("Exception") ? "" : where;
            }
            if (hit.path().equals("/api/reports/")) {
                // the trailing slash is the catalogue, which is not rows of a report
                return body.isArray() && body.findValues("kind").size() == body.size() ? "" : where;
            }
            if (hit.path().contains("/compare")) {
                return body.path("identical").asBoolean() ? "" : where;
            }
            // whatever matched, it is rows of the report: at most all six, never rows of another table
            return body.isObject() || body.isArray() && body.size() <= 6 ? "" : where;
        } catch (Exception e) {
            return where + " (not JSON)";
        }
    }

    /** A GET written by hand, byte for byte, for request lines that HTTP clients refuse to produce. */
    static Hit rawGet(int port, String target) throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            var response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            var status = Integer.parseInt(response.substring(9, 12));
            var body = response.substring(response.indexOf("\r\n\r\n") + 4);
            return new Hit("raw " + target, status, body);
        }
    }

    /** Every row of every table, and the list of relations: a digest that any change would alter. */
    static String fingerprint() {
        var dsl = TestDatabase.dsl(dataSource);
        return dsl.resultQuery("""
                SELECT md5((SELECT string_agg(u::text, ',' ORDER BY id) FROM users u)
                        || (SELECT string_agg(v::text, ',' ORDER BY id) FROM page_visits v)
                        || (SELECT string_agg(relname::text || relkind::text, ',' ORDER BY relname) FROM pg_class
                            WHERE relnamespace = 'public'::regnamespace))
                """).fetchOne(0, String.class);
    }
}
