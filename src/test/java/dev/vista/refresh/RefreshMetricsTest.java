package dev.vista.refresh;

import static dev.vista.generated.Tables.REFRESH_HISTORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.refresh.RefreshScheduler.Event;
import dev.vista.refresh.RefreshScheduler.Schedule;
import dev.vista.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the refresher and the scheduler record as meters: each refresh, each stored view's age, and missed schedules. */
class RefreshMetricsTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;

    @BeforeAll
    static void database() {
        dataSource = RefreshTesting.withFragileView("refresh_metrics");
        dsl = TestDatabase.dsl(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void each_refresh_is_timed_per_view_mode_trigger_and_outcome() {
        var meters = new SimpleMeterRegistry();
        var refresher = refresher(meters);

        refresher.refresh(RefreshRequest.of("section_daily").asConcurrent());
        dsl.execute("DELETE FROM fragile_input");
        assertThatThrownBy(() -> refresher.refresh(RefreshRequest.of("fragile"))).isInstanceOf(RefreshException.class);
        dsl.execute("INSERT INTO fragile_input VALUES (1)");

        var succeeded = meters.get("vista.refresh").tags("view", "section_daily", "mode", "concurrent", "trigger", "java", "outcome", "succeeded").timer();
        assertThat(succeeded.count()).isEqualTo(1);
        assertThat(succeeded.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        var failed = meters.get("vista.refresh").tags("view", "fragile", "mode", "plain", "outcome", "failed").timer();
        assertThat(failed.count()).isEqualTo(1);
    }

    @Test
    void each_stored_view_of_db_views_has_an_age_in_seconds_read_from_its_history() {
        var meters = new SimpleMeterRegistry();
        var refresher = refresher(meters);
        refresher.refresh(RefreshRequest.of("visits_summary_mv"));

        assertThat(meters.get("vista.view.age").gauges()).extracting(g -> g.getId().getTag("view"))
                .containsExactlyInAnyOrder("section_daily", "section_daily_incremental", "visits_summary_mv");
        var age = meters.get("vista.view.age").tag("view", "visits_summary_mv").gauge();
        assertThat(age.getId().getBaseUnit()).isEqualTo("seconds");
        assertThat(age.value()).isBetween(0.0, 60.0);

        dsl.deleteFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.VIEW_NAME.eq("section_daily_incremental")).execute();
        var never = new SimpleMeterRegistry();
        refresher(never); // with a Freshness of its own, which reads the history afresh
        assertThat(never.get("vista.view.age").tag("view", "section_daily_incremental").gauge().value()).as("never refreshed").isNaN();
    }

    @Test
    void a_scheduled_refresh_that_fails_or_starts_a_whole_interval_late_is_a_miss_counted_from_zero() throws Exception {
        var meters = new SimpleMeterRegistry();
        var refresher = refresher(meters);
        dsl.execute("DELETE FROM fragile_input");
        refresher.refresh(RefreshRequest.of("section_daily"));
        Thread.sleep(2_300); // section_daily is now more than a whole interval (1 s) past due (1 s + jitter)
        var events = new LinkedBlockingQueue<Event>();
        var schedules = List.of(new Schedule("fragile", Duration.ofMinutes(10)), new Schedule("section_daily", Duration.ofSeconds(1)));
        try (var scheduler = new RefreshScheduler(refresher, schedules, Duration.ofMinutes(10), events::add)) {
            assertThat(meters.get("vista.refresh.schedule.misses").tag("view", "fragile").counter().count()).as("before any run").isZero();
            scheduler.start();
            assertThat(RefreshSchedulerTest.next(events).failure()).as("fragile").isNotNull();
            assertThat(RefreshSchedulerTest.next(events).failure()).as("section_daily").isNull();
        } finally {
            dsl.execute("INSERT INTO fragile_input VALUES (1)");
        }
        assertThat(meters.get("vista.refresh.schedule.misses").tag("view", "fragile").counter().count()).isEqualTo(1);
        assertThat(meters.get("vista.refresh.schedule.misses").tag("view", "section_daily").counter().count()).as("late").isEqualTo(1);
    }

    private static Refresher refresher(SimpleMeterRegistry meters) {
        var files = TestDatabase.viewFiles();
        return new Refresher(dataSource, files, new Freshness(dsl, files), Duration.ofMinutes(1), Duration.ofSeconds(2), meters);
    }
}
