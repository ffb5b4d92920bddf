package dev.vista.refresh;

import static dev.vista.generated.Tables.REFRESH_HISTORY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.time.Duration;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Refreshes made outside Vista (psql, pg_cron): Vista notices them by the view's pg_class row, records them, and
 * stops vouching for what it answered before them: no 304 for an old ETag, no kept answer of the old rows.
 */
class OutsideRefreshTest {

    /** User 1's visits per section and day: a stored answer, kept by Vista once read. */
    static final String ANSWER = "/api/reports/visits_summary_mv?user_id=eq.1&select=section,visit_date,visits&order=visit_date,section&limit=10000";
    static HikariDataSource dataSource;
    static DSLContext dsl;
    static final Config config = RefreshHttpTest.config;
    static final ObjectMapper JSON = RefreshHttpTest.JSON;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("outside_refresh");
        dsl = TestDatabase.dsl(dataSource);
        TestDatabase.demoData(dataSource).seedIfEmpty();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void a_refresh_made_in_psql_voids_the_etag_and_the_kept_answer_of_the_rows_before_it() {
        TestApp.serve(config, dataSource, (server, client) -> {
            client.post("/api/admin/views/visits_summary_mv/refresh", "", this::admin);
            var first = client.get(ANSWER);
            var etag = RefreshHttpTest.header(first, "ETag");
            var before = visits(first);
            assertThat(client.get(ANSWER, req -> req.header("If-None-Match", etag)).code()).isEqualTo(304);

            for (var refresh : new String[] {"REFRESH MATERIALIZED VIEW visits_summary_mv", "REFRESH MATERIALIZED VIEW CONCURRENTLY visits_summary_mv"}) {
                var old = RefreshHttpTest.header(client.get(ANSWER), "ETag");
                addVisitsOfUserOne(7);
                dsl.execute(refresh);
                var changed = untilRevalidated(client, old);
                assertThat(changed.code()).as("after " + refresh).isEqualTo(200);
                assertThat(RefreshHttpTest.header(changed, "ETag")).isNotEqualTo(old);
                var after = visits(changed);
                assertThat(after).as("the new rows, not a kept answer of the old ones").isEqualTo(before + 7);
                assertThat(visits(client.get(ANSWER))).as("and what is kept from now on is the new answer").isEqualTo(after);
                before = after;
            }
            assertThat(client.get(ANSWER, req -> req.header("If-None-Match", etag)).code()).isEqualTo(200);
            // real-time reads go on from the watermark of the refresh before: the outside one holds at least those rows
            addVisitsOfUserOne(3);
            assertThat(visits(client.get(ANSWER + "&realtime=true"))).isEqualTo(before + 3);

            var outside = dsl.selectFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.TRIGGER.eq("outside")).orderBy(REFRESH_HISTORY.ID).fetch(RecordedRefresh::of);
            assertThat(outside).as("each refresh recorded once").hasSize(2).allSatisfy(refresh -> {
                assertThat(refresh.view()).isEqualTo("visits_summary_mv");
                assertThat(refresh.mode()).as("how it ran is not known").isNull();
                assertThat(refresh.succeeded()).isTrue();
                assertThat(refresh.startedAt()).as("no earlier than the refresh before it ended").isBefore(refresh.finishedAt());
                assertThat(refresh.watermark()).as("the watermark of the refresh before").isNotNull();
            });
            var status = RefreshHttpTest.find(JSON.readTree(client.get("/api/views").body().string()), "visits_summary_mv");
            assertThat(status.get("last_refresh").get("trigger").asText()).isEqualTo("outside");
            assertThat(status.get("last_refresh").get("mode").isNull()).isTrue();
            assertThat(status.get("last_succeeded_at").asText()).isNotEmpty();
        });
    }

    @Test
    void vistas_own_refreshes_are_not_taken_for_outside_ones_and_an_outside_one_is_recorded_once() throws Exception {
        TestApp.serve(config, dataSource, (server, client) -> {
            var outsideBefore = outsideRefreshes();
            for (var refresh : new String[] {"", "?concurrently=true", ""}) {
                assertThat(client.post("/api/admin/views/section_daily/refresh" + refresh, "", this::admin).code()).isEqualTo(200);
                client.get("/api/reports/section_daily?limit=1");
            }
            Thread.sleep(Duration.ofMillis(1_100)); // past the second Freshness keeps what it read
            dsl.execute("VACUUM ANALYZE section_daily"); // writes pg_class in place: not a refresh
            client.get("/api/reports/section_daily?limit=1");
            assertThat(outsideRefreshes()).isEqualTo(outsideBefore);

            dsl.execute("REFRESH MATERIALIZED VIEW section_daily");
            // as two Vistas on one database would look: the first records it, the second finds it recorded
            assertThat(RefreshHistory.recordOutside(dsl)).containsExactly("section_daily");
            assertThat(RefreshHistory.recordOutside(dsl)).isEmpty();
            assertThat(outsideRefreshes()).isEqualTo(outsideBefore + 1);
        });
    }

    /** Asks with {@code etag} until Vista no longer vouches for it, for at most five seconds (it looks once a second). */
    static Response untilRevalidated(HttpClient client, String etag) throws InterruptedException {
        var deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            var response = client.get(ANSWER, req -> req.header("If-None-Match", etag));
            if (response.code() != 304 || System.nanoTime() > deadline) {
                return response;
            }
            Thread.sleep(100);
        }
    }

    static void addVisitsOfUserOne(int visits) {
        dsl.execute("INSERT INTO page_visits (user_id, section, visit_time, duration_ms) "
                + "SELECT 1, 'index', now() - interval '1 day', 100 FROM generate_series(1, {0})", org.jooq.impl.DSL.inline(visits));
    }

    static int visits(Response response) throws java.io.IOException {
        var total = 0;
        for (var row : JSON.readTree(response.body().string())) {
            total += row.get("visits").asInt();
        }
        return total;
    }

    int outsideRefreshes() {
        return dsl.fetchCount(REFRESH_HISTORY, REFRESH_HISTORY.TRIGGER.eq("outside"));
    }

    void admin(io.javalin.testtools.Request.Builder request) {
        request.header("Authorization", "Bearer " + RefreshHttpTest.TOKEN);
    }

}
