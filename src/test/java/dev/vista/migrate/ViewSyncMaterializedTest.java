package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, behaviour 7: materialized views can start unpopulated, declare the unique index that concurrent refresh
 * needs, and when changed are rebuilt side by side so that their readers are not blocked while the new one fills.
 */
class ViewSyncMaterializedTest extends MigratedScratchSchema {

    ViewSyncMaterializedTest() {
        super("viewsync_materialized");
    }

    /** An advisory lock the new version of a view waits on while it populates: the test decides when it finishes. */
    static final int GATE = 4242;

    @AfterEach
    void close() {
        catalog.dropRoles();
    }

    @Test
    void with_no_data_creates_the_materialized_view_unpopulated() {
        schema.writeView("sections_mv", """
                -- Visits per section
                -- vista:materialized
                -- vista:with-no-data
                -- vista:unique-index section
                SELECT section, count(*) AS visits FROM page_visits GROUP BY section
                """);

        var result = schema.migrator(dataSource).migrate();

        assertThat(result.create()).containsExactly("sections_mv");
        assertThat(result.repopulate()).isEmpty();
        assertThat(catalog.populated("sections_mv")).isFalse();
        assertThat(catalog.populated("section_daily")).isTrue();
        assertThatThrownBy(() -> catalog.count("sections_mv")).hasMessageContaining("has not been populated");
        catalog.execute("REFRESH MATERIALIZED VIEW sections_mv");
        assertThat(catalog.count("sections_mv")).isZero();
    }

    @Test
    void a_unique_index_declared_next_to_the_view_makes_concurrent_refresh_possible() {
        catalog.addVisits(1, 5);
        assertThat(catalog.indexes("section_daily")).containsExactly(
                "CREATE UNIQUE INDEX section_daily_visit_date_section_key ON public.section_daily USING btree (visit_date, section)");

        catalog.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY section_daily");

        assertThat(catalog.count("section_daily")).isEqualTo(3);
    }

    @Test
    void a_changed_materialized_view_is_built_beside_the_old_one_which_its_readers_keep_using_until_the_swap() throws Exception {
        schema.writeView("section_totals", "-- Visits per section\nSELECT section, sum(visits) AS visits FROM section_daily GROUP BY section");
        schema.migrator(dataSource).migrate();
        catalog.addVisits(1, 5);
        catalog.execute("REFRESH MATERIALIZED VIEW section_daily");
        var reader = catalog.createRole("reader");
        catalog.execute("GRANT SELECT ON section_daily TO " + reader);
        catalog.execute("CREATE INDEX section_daily_by_p95 ON section_daily (p95_duration_ms)");
        var indexesBefore = catalog.indexes("section_daily");
        catalog.addVisits(2, 4); // the new version will count these, the old one does not
        schema.editView("section_daily", "FROM page_visits\n", """
                FROM page_visits
                CROSS JOIN (SELECT pg_advisory_xact_lock_shared(%d)) AS gate
                """.formatted(GATE));

        try (var gate = dataSource.getConnection(); var readers = dataSource.getConnection(); var thread = Executors.newSingleThreadExecutor()) {
            execute(gate, "SELECT pg_advisory_lock(" + GATE + ")");
            try {
                var migration = CompletableFuture.supplyAsync(() -> schema.migrator(dataSource).migrate(), thread);
                awaitWaitingOnGate(gate, migration);

                // The migration is now populating the new version. Readers of the old one are not blocked:
                execute(readers, "SET lock_timeout = '5s'");
                assertThat(visits(readers)).as("the old version").isEqualTo(5);
                assertThat(migration).isNotDone();

                execute(gate, "SELECT pg_advisory_unlock(" + GATE + ")");
                var result = migration.get(60, TimeUnit.SECONDS);
                assertThat(result.replace()).containsExactly("section_daily", "section_totals");
                assertThat(result.sideBySide()).containsExactly("section_daily");
                assertThat(result.repopulate()).containsExactly("section_daily");
                assertThat(visits(readers)).as("the new version, populated").isEqualTo(9);
                assertThat(catalog.count("section_totals")).as("rebuilt on the new version").isEqualTo(3);
            } finally {
                execute(gate, "SELECT pg_advisory_unlock_all()");
            }
        }
        assertThat(catalog.indexes("section_daily")).isEqualTo(indexesBefore);
        assertThat(catalog.grants("section_daily")).containsExactly(reader + ": SELECT");
        assertThat(catalog.comment("section_daily")).startsWith("Sections per day\n\n");
        assertThat(catalog.definition("section_daily")).contains("pg_advisory_xact_lock_shared");
        assertThat(catalog.views().keySet()).noneMatch(name -> name.startsWith("vista_new"));
        assertThat(schema.migrator(dataSource).migrate().summary()).isEqualTo("up to date");
    }

    /** Waits until the migration blocks on the gate, that is, until it is populating the new version. */
    private static void awaitWaitingOnGate(Connection gate, CompletableFuture<?> migration) throws Exception {
        var deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!waitingOnGate(gate)) {
            if (migration.isDone()) {
                migration.get(); // surfaces the migration's failure
                throw new AssertionError("the migration finished without waiting on the gate");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the migration never reached the new version's population");
            }
            Thread.sleep(10);
        }
    }

    private static boolean waitingOnGate(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = " + GATE
                     + " AND NOT granted")) {
            rows.next();
            return rows.getLong(1) > 0;
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long visits(Connection connection) throws SQLException {
        try (var statement = connection.createStatement(); var rows = statement.executeQuery("SELECT sum(visits) FROM section_daily")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
