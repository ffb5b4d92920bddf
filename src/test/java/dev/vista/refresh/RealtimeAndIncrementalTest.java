package dev.vista.refresh;

import static dev.vista.generated.Tables.SECTION_DAILY;
import static dev.vista.generated.Tables.SECTION_DAILY_INCREMENTAL;
import static dev.vista.generated.Tables.VISITS_SUMMARY_MV;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.database.ReadSessions;
import dev.vista.generated.DefaultSchema;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.ViewFile;
import dev.vista.report.Privileges;
import dev.vista.report.ReportCatalogue;
import dev.vista.report.ReportQuery;
import dev.vista.report.Reports;
import dev.vista.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real-time reads and incremental refresh of day buckets over append-only page_visits give exactly the rows a full
 * recomputation gives: with new rows today, late rows in old days, new days, a truncated table, and inserts that
 * are still in flight while the refresh takes its watermark.
 */
class RealtimeAndIncrementalTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;
    static Freshness freshness;
    static Refresher refresher;
    static Reports reports;
    static ViewFile sectionDaily;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("realtime");
        dsl = TestDatabase.dsl(dataSource);
        TestDatabase.demoData(dataSource).seed(20_000, 100);
        // one Freshness, as in the app: a refresh through any of the refreshers is seen by the next read at once
        freshness = new Freshness(dsl, TestDatabase.viewFiles());
        refresher = new Refresher(dataSource, TestDatabase.viewFiles(), freshness, Duration.ofMinutes(1), Duration.ofSeconds(2));
        reports = new Reports(ReadSessions.on(dataSource, Duration.ofMinutes(1)),
                ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, TestDatabase.viewFiles()), freshness, new Privileges(dsl));
        sectionDaily = ChangelogSource.directory(TestDatabase.projectRoot()).viewFiles().stream()
                .filter(f -> f.name().equals("section_daily")).findFirst().orElseThrow();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @BeforeEach
    void refreshed() {
        refresher.refresh(RefreshRequest.of("section_daily"));
        refresher.refresh(RefreshRequest.of("section_daily_incremental"));
        assertThat(stored()).isEqualTo(fullRecomputation());
        assertThat(incremental()).isEqualTo(fullRecomputation());
    }

    @Test
    void realtime_and_incremental_catch_rows_added_today_in_an_old_day_and_on_a_new_day() {
        append(300, "now()");
        append(40, "now() - interval '20 days'");          // late rows in an old bucket
        append(5, "now() + interval '2 days'");            // a bucket that did not exist
        append(3, "now() - interval '11 days'", "'a-new-section'"); // a new row key in an old bucket
        var expected = fullRecomputation();
        assertThat(stored()).isNotEqualTo(expected);       // the materialized view is stale...

        assertThat(realtime()).isEqualTo(expected);        // ...real-time reads are not
        assertThat(read(VISITS_SUMMARY_MV, "true")).isEqualTo(dsl.fetch("SELECT * FROM visits_summary ORDER BY user_id, section, visit_date")
                .map(RealtimeAndIncrementalTest::text));

        var result = refresher.refresh(RefreshRequest.of("section_daily_incremental")).getFirst();
        assertThat(result.mode()).isEqualTo(Mode.incremental);
        assertThat(result.touchedBuckets()).isEqualTo(4);
        assertThat(result.watermark()).isEqualTo(maxId());
        assertThat(incremental()).isEqualTo(expected);
        assertThat(result.rows()).isEqualTo(expected.size());
    }

    @Test
    void with_nothing_new_an_incremental_refresh_recomputes_nothing() {
        var result = refresher.refresh(RefreshRequest.of("section_daily_incremental")).getFirst();

        assertThat(result.touchedBuckets()).isZero();
        assertThat(incremental()).isEqualTo(fullRecomputation());
        assertThat(realtime()).isEqualTo(fullRecomputation());
    }

    @Test
    void after_the_table_is_truncated_the_watermark_no_longer_counts_and_everything_is_recomputed() {
        dsl.execute("TRUNCATE page_visits");
        append(200, "now() - interval '3 days'");
        append(100, "now()");

        assertThat(realtime()).isEqualTo(fullRecomputation());
        var result = refresher.refresh(RefreshRequest.of("section_daily_incremental")).getFirst();
        assertThat(result.touchedBuckets()).isNull();
        assertThat(result.note()).isEqualTo("no usable watermark: recomputed every bucket");
        assertThat(incremental()).isEqualTo(fullRecomputation());
    }

    @Test
    void an_insert_in_flight_while_the_watermark_is_taken_is_waited_for_and_included() throws Exception {
        try (var inFlight = inserting("now() - interval '10 days'")) {
            append(1, "now()"); // committed after the in-flight row drew its (lower) id
            var refresh = CompletableFuture.supplyAsync(() -> refresher.refresh(RefreshRequest.of("section_daily_incremental")));
            RefreshTesting.awaitWaitingOnLock(dsl, "vista refresh section_daily_incremental", "relation");

            inFlight.commit();
            var result = refresh.get().getFirst();
            assertThat(result.watermark()).isEqualTo(maxId());
            assertThat(incremental()).isEqualTo(fullRecomputation());
        }
    }

    @Test
    void when_inserts_hold_their_lock_too_long_the_previous_watermark_is_kept_so_their_rows_are_still_caught() throws Exception {
        var hurried = new Refresher(dataSource, TestDatabase.viewFiles(), freshness, Duration.ofMinutes(1), Duration.ofMillis(100));
        var before = maxId();
        long lateId;
        try (var inFlight = inserting("now() - interval '5 days'")) {
            lateId = before + 1;
            append(10, "now()"); // committed, with ids above the in-flight one

            var mv = hurried.refresh(RefreshRequest.of("section_daily")).getFirst();
            var incremental = hurried.refresh(RefreshRequest.of("section_daily_incremental")).getFirst();
            assertThat(mv.note()).isEqualTo("inserts into page_visits held their locks longer than 100 ms; kept the previous watermark");
            assertThat(mv.watermark()).isLessThan(lateId);
            assertThat(incremental.watermark()).isLessThan(lateId);
            assertThat(incremental()).isEqualTo(fullRecomputation()); // the in-flight row is invisible to everyone yet
            inFlight.commit();
        }
        assertThat(dsl.resultQuery("SELECT count(*) FROM page_visits WHERE id = ?", lateId).fetchOne(0, Integer.class)).isOne();
        // Once it commits, the stored rows miss it, but it is not lost: its id is above the recorded watermark.
        assertThat(incremental()).isNotEqualTo(fullRecomputation());
        assertThat(realtime()).isEqualTo(fullRecomputation());
        hurried.refresh(RefreshRequest.of("section_daily_incremental"));
        assertThat(incremental()).isEqualTo(fullRecomputation());
    }

    // ---------------------------------------------------------------- helpers

    /** The view's own SELECT from db/views, run now: what any of them must equal. */
    static List<List<String>> fullRecomputation() {
        return dsl.fetch("SELECT * FROM (" + sectionDaily.query() + ") q ORDER BY visit_date, section").map(RealtimeAndIncrementalTest::text);
    }

    static List<List<String>> stored() {
        return dsl.selectFrom(SECTION_DAILY).orderBy(SECTION_DAILY.VISIT_DATE, SECTION_DAILY.SECTION).fetch().map(RealtimeAndIncrementalTest::text);
    }

    static List<List<String>> incremental() {
        return dsl.selectFrom(SECTION_DAILY_INCREMENTAL).orderBy(SECTION_DAILY_INCREMENTAL.VISIT_DATE, SECTION_DAILY_INCREMENTAL.SECTION)
                .fetch().map(RealtimeAndIncrementalTest::text);
    }

    static List<List<String>> realtime() {
        return read(SECTION_DAILY, "true");
    }

    /** Reads the way the rows endpoint does with {@code realtime=true}: the report's rows as of now, in its key's order. */
    static List<List<String>> read(Table<?> table, String realtime) {
        var read = reports.prepare(table.getName(), ReportQuery.all().withRealtime(Boolean.parseBoolean(realtime)));
        assertThat(read.asOf()).isPresent();
        return reports.read(t -> t.fetch(read.select().rows())).map(RealtimeAndIncrementalTest::text);
    }

    /** A row as text, so a date read through plain SQL (java.sql.Date) and through jOOQ (LocalDate) compare equal. */
    static List<String> text(Record record) {
        return record.intoList().stream().map(String::valueOf).toList();
    }

    static void append(int visits, String at) {
        append(visits, at, "(ARRAY['index','dashboard','settings'])[1 + i % 3]");
    }

    static void append(int visits, String at, String section) {
        dsl.execute("INSERT INTO page_visits (user_id, section, visit_time, duration_ms) "
                + "SELECT 1 + i % 50, " + section + ", " + at + ", 100 + i * 7 % 5000 FROM generate_series(1, " + visits + ") AS i");
    }

    /** A connection that has inserted one visit and not committed: its id is drawn, its row invisible to everyone else. */
    static Connection inserting(String at) throws SQLException {
        var connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        try (var statement = connection.createStatement()) {
            statement.execute("INSERT INTO page_visits (user_id, section, visit_time, duration_ms) VALUES (7, 'billing', " + at + ", 4321)");
        }
        return connection;
    }

    static long maxId() {
        return dsl.resultQuery("SELECT max(id) FROM page_visits").fetchOne(0, Long.class);
    }
}
