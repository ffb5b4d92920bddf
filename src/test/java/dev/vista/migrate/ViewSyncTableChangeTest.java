package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, behaviour 6: a changeset that changes the type of, or drops, a column that views use just works when the
 * view files change with it; nobody writes DROP VIEW / CREATE VIEW into a changeset.
 */
class ViewSyncTableChangeTest extends MigratedScratchSchema {

    ViewSyncTableChangeTest() {
        super("viewsync_tables");
    }

    // PostgreSQL alone refuses both statements while visit_log and section_daily use these columns.
    static final String CHANGESET = """
            ALTER TABLE page_visits ALTER COLUMN duration_ms TYPE bigint;
            ALTER TABLE users DROP COLUMN email;
            """;

    @BeforeEach
    void data() {
        catalog.addVisits(1, 5);
    }

    @AfterEach
    void close() {
        catalog.dropRoles();
    }

    @Test
    void altering_and_dropping_columns_under_views_succeeds_when_the_view_files_change_with_them() {
        var reader = catalog.createRole("reader");
        catalog.execute("GRANT SELECT ON visit_log, section_daily TO " + reader);
        catalog.execute("CREATE INDEX section_daily_by_p95 ON section_daily (p95_duration_ms)");
        schema.addChangeset("006-durations-and-no-emails", CHANGESET);
        schema.editView("visit_log", "       u.username,\n       u.email\n", "       u.username\n");

        var result = schema.migrator(dataSource).migrate();

        assertThat(result.changesets()).containsExactly("db/tables/006-durations-and-no-emails.sql::006-durations-and-no-emails");
        assertThat(result.replace()).contains("visit_log", "section_daily");
        assertThat(catalog.columns("visit_log")).containsExactly("visit_id bigint", "visit_time timestamp with time zone",
                "section text", "duration_ms bigint", "user_id bigint", "username text");
        assertThat(catalog.columns("page_visits")).contains("duration_ms bigint");
        assertThat(catalog.columns("users")).noneMatch(column -> column.startsWith("email"));
        assertThat(catalog.count("section_daily")).as("repopulated").isEqualTo(3);
        assertThat(catalog.grants("visit_log")).containsExactly(reader + ": SELECT");
        assertThat(catalog.grants("section_daily")).containsExactly(reader + ": SELECT");
        assertThat(catalog.indexes("section_daily")).contains(
                "CREATE INDEX section_daily_by_p95 ON public.section_daily USING btree (p95_duration_ms)",
                "CREATE UNIQUE INDEX section_daily_visit_date_section_key ON public.section_daily USING btree (visit_date, section)");
        assertThat(catalog.views().keySet()).containsExactly("daily_totals", "section_daily", "section_daily_incremental", "user_stats", "visit_log",
                "visits_summary", "visits_summary_mv");
        assertThat(schema.migrator(dataSource).migrate().summary()).isEqualTo("up to date");
    }

    @Test
    void dropping_a_column_a_view_file_still_uses_fails_naming_that_file_and_changes_nothing() {
        var before = catalog.views();
        schema.addChangeset("006-durations-and-no-emails", CHANGESET);

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("db/views/visit_log.sql:")
                .hasMessageContaining("view visit_log: column u.email does not exist");

        assertThat(catalog.views()).isEqualTo(before);
        assertThat(catalog.columns("users")).anyMatch(column -> column.startsWith("email"));
        assertThat(catalog.changesets()).containsExactly("001-users", "002-page-visits", "003-refresh-history",
                "004-page-visits-visit-date-index", "005-refresh-history-outside", "sync-views");
    }
}
