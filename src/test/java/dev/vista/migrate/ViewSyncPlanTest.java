package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue 3, behaviour 8: a plan says what a migration would create, replace, drop and repopulate without changing
 * anything; a view edited by hand in the database is reported as drifted, and a migration puts it back.
 * (The command line, {@code migrate --plan} and {@code --check}, is tested in {@code dev.vista.cli.ViewSyncCommandLineTest}.)
 */
class ViewSyncPlanTest extends MigratedScratchSchema {

    ViewSyncPlanTest() {
        super("viewsync_plan");
    }

    @Test
    void a_plan_lists_what_migrate_would_do_and_changes_nothing() {
        var before = catalog.views();
        schema.addChangeset("006-referrer", "ALTER TABLE page_visits ADD COLUMN referrer text;");
        schema.editView("visits_summary", "count(*) AS visits", "count(*) AS visits, max(referrer) AS last_referrer");
        schema.editView("section_daily", "count(*)", "count(*) FILTER (WHERE duration_ms > 0)");
        schema.deleteView("visit_log");
        schema.writeView("sections", "-- Sections\nSELECT DISTINCT section FROM visits_summary");

        var plan = schema.migrator(dataSource).plan();

        assertThat(plan.changesets()).containsExactly("db/tables/006-referrer.sql::006-referrer");
        assertThat(plan.create()).containsExactly("sections");
        assertThat(plan.replace()).containsExactlyInAnyOrder("visits_summary", "daily_totals", "visits_summary_mv", "section_daily");
        assertThat(plan.sideBySide()).containsExactly("section_daily");
        assertThat(plan.drop()).containsExactly("visit_log");
        assertThat(plan.repopulate()).containsExactlyInAnyOrder("visits_summary_mv", "section_daily");
        assertThat(plan.summary()).contains("create: sections", "drop: visit_log", "changesets: db/tables/006-referrer.sql");

        assertThat(catalog.views()).isEqualTo(before);
        assertThat(catalog.changesets()).containsExactly("001-users", "002-page-visits", "003-refresh-history",
                "004-page-visits-visit-date-index", "005-refresh-history-outside", "sync-views");
        assertThat(catalog.columns("page_visits")).noneMatch(column -> column.startsWith("referrer"));

        var done = schema.migrator(dataSource).migrate();
        assertThat(done.lines()).isEqualTo(plan.lines());
    }

    @Test
    void a_view_edited_by_hand_is_reported_as_drifted_and_put_back_by_migrate() {
        var original = catalog.definition("daily_totals");
        catalog.execute("""
                CREATE OR REPLACE VIEW daily_totals AS
                SELECT visit_date, sum(visits)::bigint AS visits, count(DISTINCT user_id) AS active_users, count(DISTINCT section) AS sections
                FROM visits_summary WHERE section <> 'settings' GROUP BY visit_date
                """);

        var plan = schema.migrator(dataSource).plan();
        assertThat(plan.drifted()).containsExactly("daily_totals");
        assertThat(plan.replace()).containsExactly("daily_totals");
        assertThat(plan.changedNothing()).isFalse();
        assertThat(catalog.definition("daily_totals")).contains("'settings'");

        var repaired = schema.migrator(dataSource).migrate();
        assertThat(repaired.drifted()).containsExactly("daily_totals");
        assertThat(catalog.definition("daily_totals")).isEqualTo(original);
        assertThat(schema.migrator(dataSource).plan().summary()).isEqualTo("up to date");
    }

    @Test
    void a_declared_index_dropped_by_hand_counts_as_drift_and_comes_back() {
        catalog.execute("DROP INDEX visits_summary_mv_visit_date_idx");

        var plan = schema.migrator(dataSource).plan();
        assertThat(plan.drifted()).containsExactly("visits_summary_mv");

        schema.migrator(dataSource).migrate();
        assertThat(catalog.indexes("visits_summary_mv")).contains(
                "CREATE INDEX visits_summary_mv_visit_date_idx ON public.visits_summary_mv USING btree (visit_date)");
    }
}
