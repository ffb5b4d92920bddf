package dev.vista.seed;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;
import static dev.vista.generated.Tables.VISITS_SUMMARY_MV;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.countDistinct;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.sum;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.refresh.Trigger;
import dev.vista.testing.TestDatabase;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoDataTest {

    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("demo_data");
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void first_start_loads_the_talks_shape_once_then_seed_replaces_it_with_the_requested_size() {
        var dsl = TestDatabase.dsl(dataSource);
        var demo = TestDatabase.demoData(dataSource);

        assertThat(demo.seedIfEmpty()).isTrue();
        assertThat(dsl.fetchCount(USERS)).isEqualTo(100);
        var perUser = dsl.select(PAGE_VISITS.USER_ID, count()).from(PAGE_VISITS).groupBy(PAGE_VISITS.USER_ID).fetch();
        assertThat(perUser).hasSize(100).allSatisfy(r -> assertThat(r.value2()).isBetween(1, 1000));
        var range = dsl.select(min(PAGE_VISITS.VISIT_TIME), max(PAGE_VISITS.VISIT_TIME)).from(PAGE_VISITS).fetchOne();
        assertThat(range.value1()).as("the last 30 days").isAfterOrEqualTo(OffsetDateTime.now().minusDays(30).minusMinutes(1));
        assertThat(range.value2()).isBeforeOrEqualTo(OffsetDateTime.now());
        var days = dsl.selectDistinct(PAGE_VISITS.VISIT_TIME.cast(java.time.LocalDate.class)).from(PAGE_VISITS).fetch();
        assertThat(days).as("every one of the last 30 days has visits, today included").hasSizeGreaterThanOrEqualTo(30);
        var sections = dsl.selectDistinct(PAGE_VISITS.SECTION).from(PAGE_VISITS).orderBy(PAGE_VISITS.SECTION).fetch(PAGE_VISITS.SECTION);
        assertThat(sections).containsExactly("billing", "dashboard", "index", "profile", "reports", "settings");
        var visits = dsl.fetchCount(PAGE_VISITS);
        assertThat(dsl.select(sum(VISITS_SUMMARY_MV.VISITS)).from(VISITS_SUMMARY_MV).fetchOne(0, Long.class)).isEqualTo(visits);

        assertThat(outOfOrder(dsl)).as("first start: ids in the order of the visits' moments").isZero();

        assertThat(demo.seedIfEmpty()).as("a second start does not seed again").isFalse();
        assertThat(dsl.fetchCount(PAGE_VISITS)).isEqualTo(visits);

        var progress = new ArrayList<String>();
        new DemoData(dsl, TestDatabase.refresher(dataSource), Trigger.java, progress::add).seed(25_000, 40);
        assertThat(dsl.fetchCount(USERS)).isEqualTo(40);
        assertThat(dsl.fetchCount(PAGE_VISITS)).isEqualTo(25_000);
        assertThat(dsl.select(countDistinct(PAGE_VISITS.USER_ID)).from(PAGE_VISITS).fetchOne(0, Integer.class)).isEqualTo(40);
        assertThat(dsl.select(sum(VISITS_SUMMARY_MV.VISITS)).from(VISITS_SUMMARY_MV).fetchOne(0, Long.class)).isEqualTo(25_000L);
        assertThat(progress.getFirst()).startsWith("visits: 25,000 / 25,000 (100%");
        assertThat(dsl.resultQuery("SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'page_visits'")
                .fetchOne(0, Boolean.class)).as("vacuumed and analyzed once loaded, not left to autovacuum under the first reads").isTrue();
        var seeded = dsl.select(min(PAGE_VISITS.VISIT_TIME), max(PAGE_VISITS.VISIT_TIME)).from(PAGE_VISITS).fetchOne();
        assertThat(seeded.value1()).isAfterOrEqualTo(OffsetDateTime.now().minusDays(30).minusMinutes(1));
        assertThat(seeded.value2()).isBeforeOrEqualTo(OffsetDateTime.now());
        assertThat(outOfOrder(dsl)).as("visits in the order of their ids, as a table that only grows holds them").isZero();
        var perDay = dsl.resultQuery("SELECT count(DISTINCT (visit_time AT TIME ZONE 'UTC')::date) FROM page_visits").fetchOne(0, Integer.class);
        assertThat(perDay).as("every one of the last 30 days, today included").isGreaterThanOrEqualTo(30);

        var schema = dsl.resultQuery("""
                SELECT (SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'page_visits'::regclass AND contype IN ('c', 'f', 'p', 'u'))
                    || ' ' || (SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY 1) FROM pg_index WHERE indrelid = 'page_visits'::regclass)
                """).fetchOne(0, String.class);
        assertThat(schema).as("keys and indexes set aside for the load are back")
                .isEqualTo("page_visits_duration_ms_check,page_visits_pkey,page_visits_user_id_fkey page_visits_pkey,page_visits_user_id_idx,page_visits_visit_date_idx");

        var fingerprint = "SELECT md5(string_agg(concat_ws(':', id, user_id, section, duration_ms), ',' ORDER BY id)) FROM page_visits";
        var first = dsl.resultQuery(fingerprint).fetchOne(0, String.class);
        TestDatabase.demoData(dataSource).seed(25_000, 40);
        assertThat(dsl.resultQuery(fingerprint).fetchOne(0, String.class)).as("the same size gives the same data").isEqualTo(first);
    }

    /** Visits with a moment earlier than the visit before them in id order. */
    private static int outOfOrder(org.jooq.DSLContext dsl) {
        return dsl.resultQuery("""
                SELECT count(*) FROM (SELECT visit_time < lag(visit_time) OVER (ORDER BY id) AS earlier FROM page_visits) AS v WHERE earlier
                """).fetchOne(0, Integer.class);
    }
}
