package dev.vista.refresh;

import static dev.vista.generated.Tables.REFRESH_HISTORY;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.refresh.RefreshScheduler.Event;
import dev.vista.refresh.RefreshScheduler.Schedule;
import dev.vista.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scheduled refreshes: when a view is due (from its history alone), jitter, backoff after failures, a clean stop. */
class RefreshSchedulerTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;

    @BeforeAll
    static void database() {
        dataSource = RefreshTesting.withFragileView("scheduler");
        dsl = TestDatabase.dsl(dataSource);
        dsl.execute("CREATE MATERIALIZED VIEW slow_to_lock AS SELECT count(*) AS visits FROM page_visits");
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    // ---------------------------------------------------------------- when a view is due

    static final Schedule EVERY_15_MINUTES = new Schedule("section_daily", Duration.ofMinutes(15));
    static final OffsetDateTime NOON = OffsetDateTime.of(2026, 11, 24, 12, 0, 0, 0, ZoneOffset.UTC);
    static final Duration BACKOFF = Duration.ofSeconds(10);

    @Test
    void a_view_never_refreshed_is_due_at_once() {
        var state = new RefreshHistory.State(Optional.empty(), Optional.empty(), 0);
        assertThat(RefreshScheduler.due(EVERY_15_MINUTES, state, BACKOFF, 42)).isEqualTo(Instant.EPOCH);
    }

    @Test
    void after_a_success_a_view_is_due_one_interval_later_plus_a_jitter_of_up_to_a_tenth() {
        var success = entry("succeeded", NOON);
        var state = new RefreshHistory.State(Optional.of(success), Optional.of(success), 0);
        var dues = new ArrayList<Instant>();
        for (long seed = 0; seed < 50; seed++) {
            var due = RefreshScheduler.due(EVERY_15_MINUTES, state, BACKOFF, seed);
            assertThat(due).isBetween(NOON.plusMinutes(15).toInstant(), NOON.plusMinutes(15).plusSeconds(90).toInstant());
            assertThat(RefreshScheduler.due(EVERY_15_MINUTES, state, BACKOFF, seed)).isEqualTo(due); // the same on every tick
            dues.add(due);
        }
        assertThat(dues.stream().distinct().count()).isGreaterThan(40); // instances spread out
    }

    @Test
    void after_failures_a_view_is_retried_with_exponential_backoff_never_longer_than_its_interval() {
        var success = entry("succeeded", NOON.minusHours(1));
        for (var failures : List.of(1, 2, 3, 4, 7, 30)) {
            var failed = entry("failed", NOON);
            var state = new RefreshHistory.State(Optional.of(success), Optional.of(failed), failures);
            var expected = BACKOFF.multipliedBy(1L << Math.min(failures - 1, 20));
            var capped = expected.compareTo(EVERY_15_MINUTES.every()) < 0 ? expected : EVERY_15_MINUTES.every();
            assertThat(RefreshScheduler.due(EVERY_15_MINUTES, state, BACKOFF, 42)).as(failures + " failures").isEqualTo(NOON.toInstant().plus(capped));
        }
    }

    @Test
    void a_view_being_refreshed_elsewhere_is_left_alone_for_an_interval() {
        var running = new RecordedRefresh(1, "section_daily", Trigger.cli, Mode.plain, "running", NOON, null, null, null, null, null, null, 123, null);
        var state = new RefreshHistory.State(Optional.empty(), Optional.of(running), 0);
        assertThat(RefreshScheduler.due(EVERY_15_MINUTES, state, BACKOFF, 42)).isEqualTo(NOON.plusMinutes(15).toInstant());
    }

    // ---------------------------------------------------------------- running

    @Test
    void the_scheduler_refreshes_at_startup_what_was_never_refreshed_then_on_schedule() throws Exception {
        dsl.deleteFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.VIEW_NAME.eq("section_daily")).execute(); // never refreshed, as far as anyone knows
        var events = new LinkedBlockingQueue<Event>();
        var every = Duration.ofMillis(700);
        try (var scheduler = new RefreshScheduler(RefreshTesting.refresher(dataSource), List.of(new Schedule("section_daily", every)), BACKOFF, events::add)) {
            scheduler.start();
            var first = next(events);
            var second = next(events);

            assertThat(first.trigger()).isEqualTo(Trigger.startup);
            assertThat(first.refreshed()).singleElement().satisfies(r -> assertThat(r.mode()).isEqualTo(Mode.concurrent));
            assertThat(second.trigger()).isEqualTo(Trigger.schedule);
            var gap = Duration.between(first.refreshed().getFirst().finishedAt(), second.refreshed().getFirst().startedAt());
            assertThat(gap).isBetween(every, every.plusSeconds(10));
        }
        var triggers = dsl.select(REFRESH_HISTORY.TRIGGER).from(REFRESH_HISTORY).where(REFRESH_HISTORY.VIEW_NAME.eq("section_daily"))
                .orderBy(REFRESH_HISTORY.ID).fetch(REFRESH_HISTORY.TRIGGER);
        assertThat(triggers.subList(0, 2)).containsExactly("startup", "schedule");
    }

    @Test
    void a_failing_refresh_is_retried_with_growing_gaps_while_the_old_data_is_served_until_it_succeeds() throws Exception {
        dsl.execute("DELETE FROM fragile_input");
        var events = new LinkedBlockingQueue<Event>();
        var backoff = Duration.ofMillis(100);
        try (var scheduler = new RefreshScheduler(RefreshTesting.refresher(dataSource), List.of(new Schedule("fragile", Duration.ofMinutes(10))), backoff, events::add)) {
            scheduler.start();
            for (int i = 0; i < 4; i++) {
                var event = next(events);
                assertThat(event.failure().getMessage()).isEqualTo("refresh of fragile failed: division by zero");
                assertThat(dsl.resultQuery("SELECT x FROM fragile").fetchOne(0, Integer.class)).isEqualTo(100); // the old data is still there
            }
            dsl.execute("INSERT INTO fragile_input VALUES (1), (2)");
            var success = next(events);
            assertThat(success.failure()).isNull();
            assertThat(dsl.resultQuery("SELECT x FROM fragile").fetchOne(0, Integer.class)).isEqualTo(50);
        }
        var attempts = dsl.selectFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.VIEW_NAME.eq("fragile")).orderBy(REFRESH_HISTORY.ID).fetch();
        assertThat(attempts.getValues(REFRESH_HISTORY.STATUS)).startsWith("failed", "failed", "failed", "failed", "succeeded");
        for (int i = 1; i < 5; i++) {
            var gap = Duration.between(attempts.get(i - 1).getFinishedAt(), attempts.get(i).getStartedAt());
            assertThat(gap).as("gap before attempt " + (i + 1)).isGreaterThanOrEqualTo(backoff.multipliedBy(1L << (i - 1)).minusMillis(1));
        }
        assertThat(attempts.get(0).getError()).isEqualTo("division by zero");
    }

    @Test
    void stopping_the_scheduler_cancels_the_refresh_it_is_running_and_records_why() throws Exception {
        var events = new LinkedBlockingQueue<Event>();
        var scheduler = new RefreshScheduler(RefreshTesting.refresher(dataSource), List.of(new Schedule("slow_to_lock", Duration.ofMinutes(10))), BACKOFF, events::add);
        try (var reader = RefreshTesting.readingInOpenTransaction(dataSource, "slow_to_lock")) {
            scheduler.start();
            RefreshTesting.awaitWaitingOnLock(dsl, "vista refresh slow_to_lock (startup)", "relation");

            scheduler.close();

            assertThat(scheduler.isStopped()).isTrue();
            assertThat(next(events).failure().reason()).isEqualTo(RefreshException.Reason.CANCELLED);
            reader.commit();
        }
        var recorded = dsl.selectFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.VIEW_NAME.eq("slow_to_lock")).fetchOne();
        assertThat(recorded.getStatus()).isEqualTo("failed");
        assertThat(recorded.getError()).isEqualTo("cancelled: Vista is stopping");
    }

    static Event next(BlockingQueue<Event> events) throws InterruptedException {
        var event = events.poll(30, TimeUnit.SECONDS);
        assertThat(event).as("a scheduled refresh within 30 s").isNotNull();
        return event;
    }

    static RecordedRefresh entry(String status, OffsetDateTime finished) {
        return new RecordedRefresh(1, "section_daily", Trigger.schedule, Mode.concurrent, status, finished.minusSeconds(3), finished,
                3000L, 186L, 1000L, 1L, status.equals("failed") ? "boom" : null, 123, null);
    }
}
