package dev.vista.refresh;

import static dev.vista.generated.Tables.REFRESH_HISTORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.refresh.RefreshException.Reason;
import dev.vista.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Refreshing from Java: modes, refusals, dependency order, one at a time, timeouts and failures, on a real PostgreSQL. */
class RefresherTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;
    static Refresher refresher;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("refresher");
        dsl = TestDatabase.dsl(dataSource);
        TestDatabase.demoData(dataSource).seed(20_000, 200);
        // Materialized views made by hand: a chain through a plain view, and indexes REFRESH ... CONCURRENTLY cannot use.
        dsl.execute("""
                CREATE MATERIALIZED VIEW chain_a AS SELECT section, count(*) AS visits FROM page_visits GROUP BY section;
                CREATE UNIQUE INDEX ON chain_a (section);
                CREATE VIEW chain_b AS SELECT section, visits * 2 AS doubled FROM chain_a;
                CREATE MATERIALIZED VIEW chain_c AS SELECT sum(doubled) AS total FROM chain_b;
                CREATE UNIQUE INDEX ON chain_c (total);
                CREATE MATERIALIZED VIEW chain_d AS SELECT total + 1 AS total FROM chain_c;
                CREATE UNIQUE INDEX ON chain_d (total);
                CREATE MATERIALIZED VIEW expression_key AS SELECT section, count(*) AS visits FROM page_visits GROUP BY section;
                CREATE UNIQUE INDEX ON expression_key (lower(section));
                CREATE MATERIALIZED VIEW partial_key AS SELECT section, count(*) AS visits FROM page_visits GROUP BY section;
                CREATE UNIQUE INDEX ON partial_key (section) WHERE visits > 0;
                CREATE MATERIALIZED VIEW never_populated AS SELECT section, count(*) AS visits FROM page_visits GROUP BY section WITH NO DATA;
                CREATE UNIQUE INDEX ON never_populated (section);
                CREATE TABLE fragile_input (n int);
                INSERT INTO fragile_input VALUES (1);
                CREATE MATERIALIZED VIEW fragile AS SELECT 100 / (SELECT count(*) FROM fragile_input) AS x;
                """);
        refresher = RefreshTesting.refresher(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void a_refresh_is_recorded_with_its_rows_duration_and_watermark() {
        var results = refresher.refresh(RefreshRequest.of("section_daily"));

        assertThat(results).hasSize(1);
        var result = results.getFirst();
        assertThat(result.view()).isEqualTo("section_daily");
        assertThat(result.mode()).isEqualTo(Mode.plain);
        assertThat(result.trigger()).isEqualTo(Trigger.java);
        assertThat(result.rows()).isEqualTo(dsl.fetchCount(dsl.selectFrom("section_daily")));
        assertThat(result.watermark()).isEqualTo(dsl.resultQuery("SELECT max(id) FROM page_visits").fetchOne(0, Long.class));
        assertThat(result.finishedAt()).isAfterOrEqualTo(result.startedAt());
        var recorded = dsl.selectFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.VIEW_NAME.eq("section_daily")).orderBy(REFRESH_HISTORY.ID.desc()).limit(1).fetchOne();
        assertThat(recorded.getStatus()).isEqualTo("succeeded");
        assertThat(recorded.getMode()).isEqualTo("plain");
        assertThat(recorded.getTrigger()).isEqualTo("java");
        assertThat(recorded.getRowCount()).isEqualTo(result.rows());
        assertThat(recorded.getWatermark()).isEqualTo(result.watermark());
        assertThat(recorded.getDurationMs()).isEqualTo(result.durationMs());
        assertThat(recorded.getError()).isNull();
    }

    @Test
    void concurrently_uses_refresh_concurrently_when_a_unique_index_allows_it() {
        var result = refresher.refresh(RefreshRequest.of("visits_summary_mv").asConcurrent()).getFirst();

        assertThat(result.mode()).isEqualTo(Mode.concurrent);
        assertThat(result.note()).isNull();
        assertThat(result.rows()).isEqualTo(dsl.fetchCount(dsl.selectFrom("visits_summary")));
    }

    @Test
    void concurrently_is_refused_when_the_only_unique_index_has_an_expression_or_a_where_clause() {
        for (var view : List.of("expression_key", "partial_key", "fragile")) {
            assertThatThrownBy(() -> refresher.refresh(RefreshRequest.of(view).asConcurrent()))
                    .isInstanceOfSatisfying(RefreshException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.NO_UNIQUE_INDEX);
                        assertThat(e.getMessage()).isEqualTo(view + " has no unique index on plain column names without a WHERE clause,"
                                + " which REFRESH ... CONCURRENTLY needs");
                    });
        }
        assertThat(dsl.fetchCount(REFRESH_HISTORY, REFRESH_HISTORY.VIEW_NAME.in("expression_key", "partial_key"))).isZero();

        var fallback = refresher.refresh(RefreshRequest.of("partial_key").asConcurrent().withFallback()).getFirst();
        assertThat(fallback.mode()).isEqualTo(Mode.plain);
        assertThat(fallback.note()).endsWith("; refreshed without CONCURRENTLY");
    }

    @Test
    void concurrently_is_refused_for_a_view_never_populated_and_fallback_populates_it() {
        assertThatThrownBy(() -> refresher.refresh(RefreshRequest.of("never_populated").asConcurrent()))
                .isInstanceOfSatisfying(RefreshException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_POPULATED));

        var result = refresher.refresh(RefreshRequest.of("never_populated").asConcurrent().withFallback()).getFirst();

        assertThat(result.mode()).isEqualTo(Mode.plain);
        assertThat(result.note()).startsWith("never_populated has never been populated");
        assertThat(result.rows()).isEqualTo(6);
        assertThat(refresher.refresh(RefreshRequest.of("never_populated").asConcurrent()).getFirst().mode()).isEqualTo(Mode.concurrent);
    }

    @Test
    void an_unknown_view_and_a_plain_view_are_refused() {
        assertThatThrownBy(() -> refresher.refresh(RefreshRequest.of("no_such_view")))
                .isInstanceOfSatisfying(RefreshException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_VIEW));
        assertThatThrownBy(() -> refresher.refresh(RefreshRequest.of("visits_summary")))
                .isInstanceOfSatisfying(RefreshException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NOT_MATERIALIZED);
                    assertThat(e.getMessage()).isEqualTo("visits_summary is a plain view: it stores nothing, so there is nothing to refresh");
                });
    }

    @Test
    void cascade_refreshes_what_the_view_reads_first_and_what_reads_it_after() {
        var results = refresher.refresh(RefreshRequest.of("chain_c").withCascade());

        assertThat(results).extracting(RefreshResult::view).containsExactly("chain_a", "chain_c", "chain_d");
        assertThat(refresher.refresh(RefreshRequest.of("chain_c"))).extracting(RefreshResult::view).containsExactly("chain_c");
    }

    @Test
    void refreshing_everything_goes_in_dependency_order() {
        var order = refresher.refreshAll(Trigger.java, false).stream().map(RefreshResult::view).toList();

        assertThat(order).contains("section_daily", "section_daily_incremental", "visits_summary_mv", "fragile", "never_populated");
        assertThat(order).containsSubsequence("chain_a", "chain_c", "chain_d");
        assertThat(order).doesNotContain("visits_summary", "chain_b");
    }

    @Test
    void a_second_refresh_of_the_same_view_is_refused_naming_who_holds_it_while_the_running_row_is_visible() throws Exception {
        try (var reader = RefreshTesting.readingInOpenTransaction(dataSource, "chain_a")) {
            // A plain refresh needs ACCESS EXCLUSIVE, so it waits for the open reader: a refresh that is running, for sure.
            var first = CompletableFuture.supplyAsync(() -> refresher.refresh(RefreshRequest.of("chain_a").by(Trigger.cli)));
            var pid = RefreshTesting.awaitWaitingOnLock(dsl, "vista refresh chain_a (cli)", "relation");

            var running = dsl.selectFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.VIEW_NAME.eq("chain_a"), REFRESH_HISTORY.STATUS.eq("running")).fetchOne();
            assertThat(running.getBackendPid()).isEqualTo(pid);
            assertThat(running.getTrigger()).isEqualTo("cli");
            assertThatThrownBy(() -> refresher.refresh(RefreshRequest.of("chain_a")))
                    .isInstanceOfSatisfying(RefreshException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.BUSY);
                        assertThat(e.holder().pid()).isEqualTo(pid);
                        assertThat(e.holder().applicationName()).isEqualTo("vista refresh chain_a (cli)");
                        assertThat(e.holder().trigger()).isEqualTo(Trigger.cli);
                        assertThat(e.holder().startedAt()).isEqualTo(running.getStartedAt());
                        assertThat(e.getMessage()).startsWith("a refresh of chain_a is already running, by 'vista refresh chain_a (cli)' (pid " + pid + ") (cli) since ");
                    });

            reader.commit();
            assertThat(first.get().getFirst().view()).isEqualTo("chain_a");
        }
    }

    @Test
    void with_wait_a_second_refresh_waits_for_the_first_and_runs_after_it() throws Exception {
        try (var reader = RefreshTesting.readingInOpenTransaction(dataSource, "chain_d")) {
            var first = CompletableFuture.supplyAsync(() -> refresher.refresh(RefreshRequest.of("chain_d")));
            RefreshTesting.awaitWaitingOnLock(dsl, "vista refresh chain_d (java)", "relation");
            var second = CompletableFuture.supplyAsync(() -> refresher.refresh(RefreshRequest.of("chain_d").waiting().by(Trigger.http)));
            RefreshTesting.awaitWaitingOnLock(dsl, "vista refresh chain_d (http)", "advisory");

            reader.commit();
            var one = first.get().getFirst();
            var two = second.get().getFirst();
            assertThat(two.trigger()).isEqualTo(Trigger.http);
            assertThat(two.startedAt()).isAfterOrEqualTo(one.finishedAt());
        }
    }

    @Test
    void a_refresh_longer_than_its_timeout_is_cancelled_recorded_and_leaves_the_old_data() throws Exception {
        var impatient = RefreshTesting.refresher(dataSource, Duration.ofMillis(300), Duration.ofSeconds(2));
        var before = dsl.fetch("SELECT * FROM chain_a ORDER BY section");
        try (var reader = RefreshTesting.readingInOpenTransaction(dataSource, "chain_a")) {
            assertThatThrownBy(() -> impatient.refresh(RefreshRequest.of("chain_a")))
                    .isInstanceOfSatisfying(RefreshException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                        assertThat(e.getMessage()).isEqualTo("refresh of chain_a failed: took longer than the refresh timeout (300ms) and was cancelled");
                    });
            reader.commit();
        }
        var recorded = dsl.selectFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.VIEW_NAME.eq("chain_a")).orderBy(REFRESH_HISTORY.ID.desc()).limit(1).fetchOne();
        assertThat(recorded.getStatus()).isEqualTo("failed");
        assertThat(recorded.getError()).isEqualTo("took longer than the refresh timeout (300ms) and was cancelled");
        assertThat(recorded.getDurationMs()).isGreaterThanOrEqualTo(300);
        assertThat(dsl.fetch("SELECT * FROM chain_a ORDER BY section")).isEqualTo(before);
        assertThat(dsl.resultQuery("SHOW statement_timeout").fetchOne(0, String.class)).isEqualTo("0"); // the pool's connections are as they were
    }

    @Test
    void a_failed_refresh_keeps_the_old_data_and_records_postgresqls_error() {
        dsl.execute("DELETE FROM fragile_input");
        try {
            assertThatThrownBy(() -> refresher.refresh(RefreshRequest.of("fragile")))
                    .isInstanceOfSatisfying(RefreshException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.FAILED);
                        assertThat(e.getMessage()).isEqualTo("refresh of fragile failed: division by zero");
                    });
            assertThat(dsl.resultQuery("SELECT x FROM fragile").fetchOne(0, Integer.class)).isEqualTo(100);
            var recorded = dsl.selectFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.VIEW_NAME.eq("fragile")).orderBy(REFRESH_HISTORY.ID.desc()).limit(1).fetchOne();
            assertThat(recorded.getStatus()).isEqualTo("failed");
            assertThat(recorded.getError()).isEqualTo("division by zero");
            assertThat(recorded.getFinishedAt()).isNotNull();
        } finally {
            dsl.execute("INSERT INTO fragile_input VALUES (1)");
        }
    }

    @Test
    void a_running_row_left_behind_by_a_session_that_died_is_marked_abandoned_by_the_next_refresh() {
        var orphan = dsl.insertInto(REFRESH_HISTORY).set(REFRESH_HISTORY.VIEW_NAME, "expression_key").set(REFRESH_HISTORY.TRIGGER, "schedule")
                .set(REFRESH_HISTORY.MODE, "plain").returning(REFRESH_HISTORY.ID).fetchOne().getId();

        refresher.refresh(RefreshRequest.of("expression_key"));

        var row = dsl.selectFrom(REFRESH_HISTORY).where(REFRESH_HISTORY.ID.eq(orphan)).fetchOne();
        assertThat(row.getStatus()).isEqualTo("failed");
        assertThat(row.getError()).isEqualTo("abandoned: the session refreshing it ended before it finished");
    }
}
