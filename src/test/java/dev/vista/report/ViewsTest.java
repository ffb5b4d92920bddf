package dev.vista.report;

import static dev.vista.generated.Tables.DAILY_TOTALS;
import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.SECTION_DAILY;
import static dev.vista.generated.Tables.USERS;
import static dev.vista.generated.Tables.USER_STATS;
import static dev.vista.generated.Tables.VISITS_SUMMARY;
import static dev.vista.generated.Tables.VISITS_SUMMARY_MV;
import static dev.vista.generated.Tables.VISIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.Records.mapping;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every view returns exactly the rows its SQL promises, on a small data set made by hand. */
class ViewsTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;
    // two days ago, midnight UTC: recent enough for "last 30 days", far enough for whole days
    static final LocalDate DAY1 = LocalDate.now(ZoneOffset.UTC).minusDays(2);
    static final LocalDate DAY2 = DAY1.plusDays(1);
    static final LocalDate DAY3 = DAY1.plusDays(2);
    static final OffsetDateTime OLD = OffsetDateTime.of(2020, 1, 1, 12, 0, 0, 0, ZoneOffset.UTC);

    @BeforeAll
    static void data() {
        dataSource = TestDatabase.migrated("views");
        dsl = TestDatabase.dsl(dataSource);
        dsl.insertInto(USERS, USERS.ID, USERS.USERNAME, USERS.EMAIL)
                .values(1L, "alice", "alice@example.com")
                .values(2L, "bob", null)
                .values(3L, "carol", "carol@example.com")
                .execute();
        dsl.insertInto(PAGE_VISITS, PAGE_VISITS.ID, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS)
                .values(1L, 1L, "index", at(DAY1, 10, 0), 100)
                .values(2L, 1L, "index", at(DAY1, 23, 30), 300)
                .values(3L, 1L, "dashboard", at(DAY2, 0, 10), 200)
                .values(4L, 2L, "index", at(DAY1, 12, 0), 1000)
                .values(5L, 2L, "settings", at(DAY3, 8, 0), 50)
                .values(6L, 2L, "index", OLD, 70)
                .execute();
        TestDatabase.refreshAll(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static OffsetDateTime at(LocalDate day, int hour, int minute) {
        return day.atTime(hour, minute).atOffset(ZoneOffset.UTC);
    }

    record Summary(Long userId, String section, LocalDate day, Long visits) {
    }

    @Test
    void visits_summary_counts_visits_per_user_section_and_utc_day() {
        var rows = dsl.select(VISITS_SUMMARY.USER_ID, VISITS_SUMMARY.SECTION, VISITS_SUMMARY.VISIT_DATE, VISITS_SUMMARY.VISITS)
                .from(VISITS_SUMMARY).orderBy(VISITS_SUMMARY.USER_ID, VISITS_SUMMARY.VISIT_DATE, VISITS_SUMMARY.SECTION)
                .fetch(mapping(Summary::new));
        assertThat(rows).containsExactly(
                new Summary(1L, "index", DAY1, 2L),
                new Summary(1L, "dashboard", DAY2, 1L),
                new Summary(2L, "index", OLD.toLocalDate(), 1L),
                new Summary(2L, "index", DAY1, 1L),
                new Summary(2L, "settings", DAY3, 1L));
    }

    @Test
    void the_materialized_visits_summary_holds_the_same_rows_as_the_view() {
        var view = dsl.selectFrom(VISITS_SUMMARY).orderBy(VISITS_SUMMARY.getPrimaryKey().getFields()).fetch().intoMaps();
        var stored = dsl.selectFrom(VISITS_SUMMARY_MV).orderBy(VISITS_SUMMARY_MV.getPrimaryKey().getFields()).fetch().intoMaps();
        assertThat(stored).hasSize(5).isEqualTo(view);
    }

    record Stats(Long userId, String username, Long total, OffsetDateTime first, OffsetDateTime last, Long sections, Long recent) {
    }

    @Test
    void user_stats_has_one_row_per_user_including_users_without_visits() {
        var rows = dsl.select(USER_STATS.USER_ID, USER_STATS.USERNAME, USER_STATS.TOTAL_VISITS, USER_STATS.FIRST_VISIT,
                        USER_STATS.LAST_VISIT, USER_STATS.DISTINCT_SECTIONS, USER_STATS.VISITS_LAST_30_DAYS)
                .from(USER_STATS).orderBy(USER_STATS.USER_ID).fetch(mapping(Stats::new));
        assertThat(rows).containsExactly(
                new Stats(1L, "alice", 3L, at(DAY1, 10, 0), at(DAY2, 0, 10), 2L, 3L),
                new Stats(2L, "bob", 3L, OLD, at(DAY3, 8, 0), 2L, 2L),
                new Stats(3L, "carol", 0L, null, null, 0L, 0L));
    }

    @Test
    void visit_log_has_one_row_per_visit_with_the_visitors_username_and_email() {
        var rows = dsl.select(VISIT_LOG.VISIT_ID, VISIT_LOG.USERNAME, VISIT_LOG.EMAIL, VISIT_LOG.SECTION, VISIT_LOG.DURATION_MS)
                .from(VISIT_LOG).orderBy(VISIT_LOG.VISIT_ID).fetch(r -> r.value1() + " " + r.value2() + " " + r.value3() + " " + r.value4() + " " + r.value5());
        assertThat(rows).containsExactly(
                "1 alice alice@example.com index 100",
                "2 alice alice@example.com index 300",
                "3 alice alice@example.com dashboard 200",
                "4 bob null index 1000",
                "5 bob null settings 50",
                "6 bob null index 70");
    }

    @Test
    void section_daily_counts_visits_distinct_users_and_duration_percentiles() {
        var rows = dsl.selectFrom(SECTION_DAILY).where(SECTION_DAILY.VISIT_DATE.ge(DAY1))
                .orderBy(SECTION_DAILY.VISIT_DATE, SECTION_DAILY.SECTION)
                .fetch(r -> r.getVisitDate() + " " + r.getSection() + " " + r.getVisits() + " " + r.getDistinctUsers()
                        + " " + r.getP50DurationMs() + " " + r.getP95DurationMs());
        // index on DAY1: durations 100, 300, 1000 -> median 300, 95th percentile 300 + 0.9 * 700 = 930
        assertThat(rows).containsExactly(
                DAY1 + " index 3 2 300.0 930.0",
                DAY2 + " dashboard 1 1 200.0 200.0",
                DAY3 + " settings 1 1 50.0 50.0");
    }

    @Test
    void daily_totals_is_built_on_visits_summary() {
        var rows = dsl.selectFrom(DAILY_TOTALS).where(DAILY_TOTALS.VISIT_DATE.ge(DAY1)).orderBy(DAILY_TOTALS.VISIT_DATE)
                .fetch(r -> r.getVisitDate() + " " + r.getVisits() + " " + r.getActiveUsers() + " " + r.getSections());
        assertThat(rows).containsExactly(DAY1 + " 3 2 1", DAY2 + " 1 1 1", DAY3 + " 1 1 1");
        assertThat(ChronoUnit.DAYS.between(OLD.toLocalDate(), DAY1)).isPositive();
    }
}
