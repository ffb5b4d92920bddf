package dev.vista.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vista.Vista;
import dev.vista.access.TokenSigner;
import dev.vista.config.Config;
import dev.vista.refresh.RefreshRequest;
import dev.vista.refresh.Trigger;
import dev.vista.testing.Await;
import dev.vista.testing.HotStandby;
import dev.vista.testing.ReportFixture;
import dev.vista.testing.TestDatabase;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Request;
import io.javalin.testtools.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Report reads on a streaming hot standby (VISTA_READ_URL), against a real primary and standby on loopback: served by
 * the standby with its lag, as fresh as the standby holds them; the primary answers when the standby falls behind,
 * stops, or cancels a read for a conflict with recovery, and the standby is read from again when it is back.
 */
class StandbyReadsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    static HotStandby cluster;
    static DSLContext primary;

    @BeforeAll
    static void start() {
        cluster = HotStandby.start();
        primary = TestDatabase.dsl(cluster.primary());
        ReportFixture.load(cluster.primary());
        primary.execute("ALTER TABLE page_visits ALTER COLUMN id RESTART WITH 1000"); // the fixture's ids are its own
        cluster.awaitReplayed();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Every answer read (no answers kept since the refresh, VISTA_ANSWER_CACHE_MB=0): these tests follow where reads go. */
    static Config config(String maxLag) {
        return Config.fromEnvironment(Map.of("VISTA_READ_URL", cluster.standbyUrl() + "?targetServerType=secondary",
                "VISTA_MAX_REPLICA_LAG", maxLag, "VISTA_ADMIN_TOKEN", "token", "VISTA_ANSWER_CACHE_MB", "0"));
    }

    @FunctionalInterface
    interface Case {
        void run(Vista vista, HttpClient client) throws Exception;
    }

    static void serve(String maxLag, Case test) {
        try (var vista = Vista.over(config(maxLag), cluster.primary())) {
            JavalinTest.test(vista.app(), (server, client) -> {
                awaitStandby(client, "/api/reports/visits_summary");
                test.run(vista, client);
            });
        }
    }

    /** Waits until answers come from the standby: the sampler has found it fit, and the pool reads on it. */
    static void awaitStandby(HttpClient client, String path) {
        Await.until("answers to " + path + " read on the standby", Duration.ofSeconds(20), () -> lag(client.get(path)) != null);
    }

    static String lag(Response response) {
        return response.code() == 200 ? header(response, "X-Replica-Lag") : null;
    }

    @Test
    void reads_are_served_by_the_standby_with_the_lag_it_had() {
        serve("30s", (vista, client) -> {
            var fixture = "visit_date=gte.2025-12-01&visit_date=lt.2026-01-13"; // the fixture's days: other tests add rows elsewhere
            // nothing written on the primary now: a standby that has replayed all it received is not behind
            Await.until("the idle primary's standby at no lag", Duration.ofSeconds(20),
                    () -> "0".equals(lag(client.get("/api/reports/visits_summary?" + fixture))));
            var rows = client.get("/api/reports/visits_summary?" + fixture);
            assertThat(rows.code()).isEqualTo(200);
            assertThat(Double.parseDouble(header(rows, "X-Replica-Lag"))).isBetween(0.0, 1.0);
            assertThat(JSON.readTree(rows.body().string())).hasSize(6);
            // the standby's own view of its sessions shows Vista's: the reads are its
            var sessions = cluster.onStandby(dsl -> dsl.resultQuery(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vista' AND datname = ?", HotStandby.DATABASE).fetchOne(0, Integer.class));
            assertThat(sessions).isPositive();

            var csv = client.get("/api/reports/visits_summary_mv.csv?order=user_id,section,visit_date");
            assertThat(csv.code()).isEqualTo(200);
            assertThat(header(csv, "X-Replica-Lag")).isNotNull();
            assertThat(header(csv, "Last-Modified")).isNotNull();
            assertThat(csv.body().string()).startsWith("user_id,section,visit_date,visits\n1,dashboard,2026-01-11,1\n");

            var counted = client.get("/api/reports/visits_summary?limit=2&" + fixture, request -> request.header("Prefer", "count=exact"));
            assertThat(header(counted, "Content-Range")).isEqualTo("0-1/6");
            assertThat(header(counted, "X-Replica-Lag")).isNotNull();

            var compare = client.get("/api/reports/visits_summary/compare?" + fixture);
            assertThat(header(compare, "X-Replica-Lag")).isNotNull();
            assertThat(JSON.readTree(compare.body().string()).get("identical").asBoolean()).isTrue();

            // exact as of now: on the primary (its watermark and its now), so no lag to report
            var realtime = client.get("/api/reports/section_daily?realtime=true");
            assertThat(realtime.code()).isEqualTo(200);
            assertThat(header(realtime, "X-Replica-Lag")).isNull();
            assertThat(header(realtime, "X-Data-Age")).isEqualTo("0");

            // a page's one message sets on the standby what its sessions lack: the timeout and the time zone
            var reads = ReadSessions.on(cluster.primary(), Duration.ofMillis(1500)).readingFrom(vista.standbys().orElseThrow());
            var settings = reads.rows(ReadSessions.Answer.NONE, "SELECT pg_is_in_recovery(), current_setting('statement_timeout'), "
                    + "current_setting('TimeZone'), current_setting('transaction_read_only') WHERE ? = 1", List.of(1), set -> {
                        set.next();
                        return List.of(set.getString(1), set.getString(2), set.getString(3), set.getString(4));
                    });
            assertThat(settings).containsExactly("t", "1500ms", "UTC", "on");
            var timedOut = org.assertj.core.api.Assertions.catchThrowableOfType(org.jooq.exception.DataAccessException.class,
                    () -> reads.rows(ReadSessions.Answer.NONE, "SELECT pg_sleep(?)", List.of(3), set -> set.next()));
            assertThat(timedOut.sqlState()).isEqualTo("57014");

            assertThat(vista.standbys().orElseThrow().status()).singleElement().satisfies(status -> {
                assertThat(status.usable()).isTrue();
                assertThat(status.inRecovery()).isTrue();
            });
            var metrics = client.get("/metrics", request -> request.header("Authorization", "Bearer token")).body().string();
            assertThat(metrics).contains("vista_standby_usable{standby=\"127.0.0.1:" + cluster.standbyPort() + "\"} 1.0",
                    "vista_standby_lag_seconds{standby=", "vista_standby_retried_on_primary_total", "-standbys\"");
        });
    }

    @Test
    void new_rows_and_refreshes_on_the_primary_appear_through_the_standby() {
        serve("30s", (vista, client) -> {
            primary.execute("INSERT INTO page_visits (user_id, section, visit_time, duration_ms) VALUES (3, 'index', '2026-01-20T10:00:00Z', 10)");
            Await.until("carol's visit read on the standby", Duration.ofSeconds(20), () -> {
                var response = client.get("/api/reports/visits_summary?user_id=eq.3");
                return header(response, "X-Replica-Lag") != null && response.body().string().contains("2026-01-20");
            });

            TestDatabase.refresher(cluster.primary()).refresh(RefreshRequest.of("visits_summary_mv").by(Trigger.java));
            awaitRefreshReadOnStandby(client, "/api/reports/visits_summary_mv?user_id=eq.3", "2026-01-20");
        });
    }

    @Test
    void a_refresh_counts_on_the_standby_once_it_has_replayed_it() {
        serve("1h", (vista, client) -> {
            var before = client.get("/api/reports/visits_summary_mv?user_id=eq.4");
            var lastModified = header(before, "Last-Modified");
            assertThat(lastModified).isEqualTo(HTTP_DATE.format(lastRefresh("visits_summary_mv")));
            cluster.pauseReplay(true);
            try {
                primary.execute("INSERT INTO page_visits (user_id, section, visit_time, duration_ms) VALUES (4, 'settings', '2026-02-01T10:00:00Z', 10)");
                Thread.sleep(1100); // Last-Modified counts whole seconds: the refresh must land in a later one
                TestDatabase.refresher(cluster.primary()).refresh(RefreshRequest.of("visits_summary_mv").by(Trigger.java));
                // refreshed on the primary, not replayed on the standby: its answers are the old rows, and say so
                Await.until("the standby's lag growing past a second", Duration.ofSeconds(20),
                        () -> Double.parseDouble(lag(client.get("/api/reports/visits_summary_mv?user_id=eq.4"))) >= 1);
                var stale = client.get("/api/reports/visits_summary_mv?user_id=eq.4");
                assertThat(header(stale, "X-Replica-Lag")).isNotNull();
                assertThat(header(stale, "Last-Modified")).isEqualTo(lastModified);
                assertThat(header(stale, "ETag")).isEqualTo(header(before, "ETag")); // a client's copy of the old rows stays valid
                assertThat(stale.body().string()).doesNotContain("2026-02-01");
            } finally {
                cluster.pauseReplay(false);
            }
            awaitRefreshReadOnStandby(client, "/api/reports/visits_summary_mv?user_id=eq.4", "2026-02-01");
            var fresh = client.get("/api/reports/visits_summary_mv?user_id=eq.4");
            assertThat(header(fresh, "ETag")).isNotEqualTo(header(before, "ETag"));
            var notModified = client.get("/api/reports/visits_summary_mv?user_id=eq.4", request -> request.header("If-None-Match", header(fresh, "ETag")));
            assertThat(notModified.code()).isEqualTo(304);
        });
    }

    @Test
    void a_refresh_made_outside_vista_counts_on_the_standby_once_it_has_replayed_its_record() {
        serve("1h", (vista, client) -> {
            var path = "/api/reports/visits_summary_mv?user_id=eq.1";
            awaitRefreshReadOnStandby(client, path, "user_id");
            var before = client.get(path);
            primary.execute("INSERT INTO page_visits (user_id, section, visit_time, duration_ms) VALUES (1, 'settings', '2026-04-01T10:00:00Z', 10)");
            Thread.sleep(1100); // Last-Modified counts whole seconds: the refresh must land in a later one
            primary.execute("REFRESH MATERIALIZED VIEW visits_summary_mv"); // in psql, say: no Vista runs it
            // the sampler's look at the primary records it (no request reads there), and the standby replays both
            Await.until("the outside refresh read on the standby", Duration.ofSeconds(20), () -> {
                var response = client.get(path);
                // rows may arrive a sample before their moment does (never the other way round): wait for the new tag
                return header(response, "X-Replica-Lag") != null && response.body().string().contains("2026-04-01")
                        && header(response, "ETag") != null && !header(response, "ETag").equals(header(before, "ETag"));
            });
            var fresh = client.get(path);
            assertThat(header(fresh, "ETag")).isNotEqualTo(header(before, "ETag"));
            assertThat(header(fresh, "Last-Modified")).isEqualTo(HTTP_DATE.format(lastRefresh("visits_summary_mv")));
            assertThat(primary.resultQuery("SELECT trigger FROM refresh_history WHERE view_name = 'visits_summary_mv' AND status = 'succeeded' "
                    + "ORDER BY started_at DESC LIMIT 1").fetchOne(0, String.class)).isEqualTo("outside");
            var notModified = client.get(path, request -> request.header("If-None-Match", header(before, "ETag")));
            assertThat(notModified.code()).isEqualTo(200);
        });
    }

    @Test
    void with_replay_paused_past_the_bound_answers_come_from_the_primary_with_the_new_rows() {
        serve("2s", (vista, client) -> {
            cluster.pauseReplay(true);
            try {
                primary.execute("INSERT INTO page_visits (user_id, section, visit_time, duration_ms) VALUES (1, 'settings', '2026-03-01T10:00:00Z', 10)");
                Await.until("answers from the primary, with the new row", Duration.ofSeconds(20), () -> {
                    var response = client.get("/api/reports/visits_summary?user_id=eq.1");
                    return response.code() == 200 && header(response, "X-Replica-Lag") == null && response.body().string().contains("2026-03-01");
                });
                assertThat(vista.standbys().orElseThrow().status().getFirst().problem()).contains("more than VISTA_MAX_REPLICA_LAG (2s)");
                assertThat(vista.standbys().orElseThrow().counters().fellBehind()).isPositive();
            } finally {
                cluster.pauseReplay(false);
            }
            awaitStandby(client, "/api/reports/visits_summary?user_id=eq.1");
            assertThat(body(client.get("/api/reports/visits_summary?user_id=eq.1"))).contains("2026-03-01");
        });
    }

    @Test
    void when_the_standby_stops_reads_go_on_from_the_primary_and_it_is_read_from_again_once_it_is_back() {
        var figures = new String[1];
        serve("30s", (vista, client) -> {
            var answers = new ArrayList<Answer>();
            var reading = new AtomicBoolean(true);
            var reader = CompletableFuture.runAsync(() -> {
                while (reading.get()) {
                    var started = System.nanoTime();
                    var response = client.get("/api/reports/visits_summary_mv?user_id=eq.2");
                    var ok = response.code() == 200 && response.body().string().contains("settings");
                    synchronized (answers) {
                        answers.add(new Answer(started, System.nanoTime(), ok ? 200 : response.code(), header(response, "X-Replica-Lag") != null));
                    }
                }
            });
            Await.until("a few answers from the standby", () -> count(answers, a -> a.standby) >= 5);
            var stopped = System.nanoTime();
            cluster.stopStandby();
            Await.until("answers from the primary", Duration.ofSeconds(20), () -> count(answers, a -> a.started > stopped && !a.standby) >= 20);
            cluster.startStandby();
            var restarted = System.nanoTime();
            Await.until("answers from the standby again", Duration.ofSeconds(20), () -> count(answers, a -> a.started > restarted && a.standby) >= 5);
            reading.set(false);
            reader.join();

            List<Answer> all;
            synchronized (answers) {
                all = List.copyOf(answers);
            }
            assertThat(all).allSatisfy(answer -> assertThat(answer.status).isEqualTo(200));
            var firstFromPrimary = all.stream().filter(a -> a.started > stopped && !a.standby).findFirst().orElseThrow();
            var slowest = all.stream().filter(a -> a.finished > stopped && a.started < firstFromPrimary.finished)
                    .mapToLong(a -> a.finished - a.started).max().orElse(0);
            var backOn = all.stream().filter(a -> a.started > restarted && a.standby).findFirst().orElseThrow();
            figures[0] = String.format(Locale.ROOT, "[failover] standby stopped: first answer from the primary after %d ms, slowest answer meanwhile %d ms;"
                            + " restarted: read from again after %d ms; %d answers, none failed",
                    (firstFromPrimary.finished - stopped) / 1_000_000, slowest / 1_000_000, (backOn.finished - restarted) / 1_000_000, all.size());
            assertThat(Duration.ofNanos(firstFromPrimary.finished - stopped)).isLessThan(Duration.ofSeconds(5));
            assertThat(vista.standbys().orElseThrow().counters().becameUnreachable()).isEqualTo(1);
        });
        System.out.println(figures[0]); // what failing over costs (JavalinTest keeps a passing test's output to itself)
    }

    @Test
    void a_read_the_standby_cancels_for_a_conflict_with_recovery_is_answered_by_the_primary() {
        // enough rows that sorting them takes a while: the conflict has to meet the read while it runs
        primary.execute("""
                INSERT INTO page_visits (user_id, section, visit_time, duration_ms)
                SELECT 4, 'bulk', timestamptz '2020-01-01' + n * interval '1 second', n % 1000 FROM generate_series(1, 300000) n
                """);
        cluster.awaitReplayed();
        cluster.onStandby(dsl -> dsl.execute("ALTER SYSTEM SET max_standby_streaming_delay = 0"));
        cluster.onStandby(dsl -> dsl.execute("SELECT pg_reload_conf()"));
        try {
            serve("30s", (vista, client) -> {
                // the last three rows of the whole sorted result: PostgreSQL sorts every row before the first is
                // sent (a top-3 sort was over too soon on a fast machine for the conflict to meet it)
                var rows = primary.fetchCount(primary.selectFrom("visit_log"));
                var longest = primary.resultQuery("SELECT max(duration_ms) FROM visit_log").fetchOne(0, Integer.class);
                var sorted = "/api/reports/visit_log?order=duration_ms,visit_time&offset=" + (rows - 3) + "&limit=3";
                var retried = vista.standbys().orElseThrow().counters().retriedOnPrimary();
                for (int attempt = 0; attempt < 5 && vista.standbys().orElseThrow().counters().retriedOnPrimary() == retried; attempt++) {
                    var answer = CompletableFuture.supplyAsync(() -> {
                        var response = client.get(sorted);
                        return Map.of("status", response.code(), "lag", String.valueOf(header(response, "X-Replica-Lag")), "body", response.body().string());
                    });
                    // the read running on the standby, then a lock only a standby's replay conflicts with
                    Await.until("the sort running on the standby", Duration.ofSeconds(20), () -> answer.isDone() || cluster.onStandby(dsl -> dsl.resultQuery(
                            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vista' AND state = 'active' AND query LIKE '%visit_log%'")
                            .fetchOne(0, Integer.class)) > 0);
                    primary.transaction(tx -> tx.dsl().execute("LOCK TABLE page_visits IN ACCESS EXCLUSIVE MODE"));
                    var result = answer.join();
                    assertThat(result.get("status")).isEqualTo(200);
                    assertThat((String) result.get("body")).contains("\"duration_ms\":" + longest);
                }
                assertThat(vista.standbys().orElseThrow().counters().retriedOnPrimary()).isGreaterThan(retried);
            });
        } finally {
            cluster.onStandby(dsl -> dsl.execute("ALTER SYSTEM RESET max_standby_streaming_delay"));
            cluster.onStandby(dsl -> dsl.execute("SELECT pg_reload_conf()"));
            primary.execute("DELETE FROM page_visits WHERE section = 'bulk'");
        }
    }

    @Test
    void a_tokens_role_and_its_row_level_security_apply_on_the_standby_as_on_the_primary() {
        primary.execute("CREATE ROLE standby_restricted NOLOGIN");
        primary.execute("GRANT SELECT ON visit_log, page_visits, users TO standby_restricted");
        primary.execute("ALTER TABLE page_visits ENABLE ROW LEVEL SECURITY");
        primary.execute("""
                CREATE POLICY standby_own_visits ON page_visits FOR SELECT TO standby_restricted
                    USING (user_id = (current_setting('request.jwt.claims', true)::json->>'sub')::bigint)""");
        try {
            var secret = "a-test-secret-of-at-least-32-bytes-for-hs256";
            var config = Config.fromEnvironment(Map.of("VISTA_READ_URL", cluster.standbyUrl(), "VISTA_JWT_SECRET", secret));
            var token = TokenSigner.of(config.access()).sign("standby_restricted", Optional.of("2"), Duration.ofHours(1), Map.of(), Instant.now());
            Consumer<Request.Builder> bearer = request -> request.header("Authorization", "Bearer " + token);
            try (var vista = Vista.over(config, cluster.primary())) {
                JavalinTest.test(vista.app(), (server, client) -> {
                    Await.until("bob's visits read on the standby", Duration.ofSeconds(20),
                            () -> lag(client.get("/api/reports/visit_log?order=visit_id", bearer)) != null);
                    var visits = JSON.readTree(client.get("/api/reports/visit_log?order=visit_id", bearer).body().string());
                    assertThat(visits.findValuesAsText("user_id")).containsOnly("2").hasSize(3);
                    assertThat(client.get("/api/reports/visits_summary", bearer).code()).isEqualTo(404); // not granted: not there
                });
            }
        } finally {
            primary.execute("DROP POLICY standby_own_visits ON page_visits");
            primary.execute("ALTER TABLE page_visits DISABLE ROW LEVEL SECURITY");
            primary.execute("REVOKE ALL ON visit_log, page_visits, users FROM standby_restricted");
            primary.execute("DROP ROLE standby_restricted");
        }
    }

    /** Waits until answers to {@code path} come from the standby as of the primary's last refresh of visits_summary_mv, holding {@code text}. */
    static void awaitRefreshReadOnStandby(HttpClient client, String path, String text) {
        var refreshed = HTTP_DATE.format(lastRefresh("visits_summary_mv"));
        Await.until("the refresh of " + refreshed + " read on the standby", Duration.ofSeconds(20), () -> {
            var response = client.get(path);
            return header(response, "X-Replica-Lag") != null && refreshed.equals(header(response, "Last-Modified"))
                    && response.body().string().contains(text);
        });
    }

    record Answer(long started, long finished, int status, boolean standby) {
    }

    static long count(List<Answer> answers, java.util.function.Predicate<Answer> which) {
        synchronized (answers) {
            return answers.stream().filter(which).count();
        }
    }

    static OffsetDateTime lastRefresh(String view) {
        return primary.resultQuery("SELECT max(finished_at) FROM refresh_history WHERE view_name = ? AND status = 'succeeded'", view)
                .fetchOne(0, OffsetDateTime.class);
    }

    static String body(Response response) {
        return response.body().string();
    }

    static String header(Response response, String name) {
        var values = response.headers().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
