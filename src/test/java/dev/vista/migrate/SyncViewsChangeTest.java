package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.testing.LiquibaseCli;
import dev.vista.testing.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vista:syncViews} under stock Liquibase's command line, on a copy of db/ that the tests edit: the changeset is
 * pending exactly when a view file changed, and Liquibase and Vista's migrator each see what the other did.
 */
class SyncViewsChangeTest {

    @TempDir
    Path directory;

    @Test
    void a_changed_view_file_makes_the_changeset_pending_and_update_rebuilds_the_view_and_its_dependants() {
        var schema = SchemaCopy.of(directory);
        try (var dataSource = TestDatabase.fresh("sync_views_change")) {
            assertThat(LiquibaseCli.run(dataSource, directory, "update").exit()).isZero();
            var catalog = new Catalog(dataSource);
            var untouched = catalog.oid("user_stats");
            // a new column: PostgreSQL's CREATE OR REPLACE VIEW cannot add it in the middle, so the view and what is built on it are rebuilt
            schema.editView("visits_summary", "       count(*) AS visits", "       count(*) AS visits,\n       max(duration_ms) AS longest_ms");

            var status = LiquibaseCli.run(dataSource, directory, "status", "--verbose");
            assertThat(status.output()).contains("1 changeset has not been applied", "db/changelog.xml::sync-views::vista");
            var script = LiquibaseCli.run(dataSource, directory, "update-sql");
            assertThat(script.output()).contains("DROP MATERIALIZED VIEW \"visits_summary_mv\"", "DROP VIEW \"daily_totals\"",
                    "DROP VIEW \"visits_summary\"", "max(duration_ms) AS longest_ms").doesNotContain("\"user_stats\"");
            assertThat(catalog.columns("visits_summary")).as("update-sql changes nothing").doesNotContain("longest_ms integer");

            assertThat(LiquibaseCli.run(dataSource, directory, "update").exit()).isZero();

            assertThat(catalog.columns("visits_summary")).contains("longest_ms integer");
            assertThat(catalog.columns("visits_summary_mv")).contains("longest_ms integer");
            assertThat(catalog.oid("user_stats")).as("a view that did not change is left alone").isEqualTo(untouched);
            assertThat(LiquibaseCli.run(dataSource, directory, "status").output()).contains("is up to date");
            assertThat(schema.migrator(dataSource).plan().changedNothing()).isTrue();
        }
    }

    @Test
    void after_vista_migrates_a_view_change_liquibase_finds_nothing_pending() {
        var schema = SchemaCopy.of(directory);
        try (var dataSource = TestDatabase.fresh("sync_views_after_vista")) {
            schema.migrator(dataSource).migrate();
            schema.editView("user_stats", "-- User statistics", "-- Statistics per user");

            var result = schema.migrator(dataSource).migrate();

            assertThat(result.summary()).isEqualTo("comment: user_stats");
            assertThat(LiquibaseCli.run(dataSource, directory, "status").output()).contains("is up to date");
            assertThat(LiquibaseCli.run(dataSource, directory, "update-sql").output()).doesNotContain("user_stats");
        }
    }

    @Test
    void whitespace_and_comments_in_the_sql_leave_the_changeset_as_it_ran() {
        var schema = SchemaCopy.of(directory);
        try (var dataSource = TestDatabase.fresh("sync_views_whitespace")) {
            assertThat(LiquibaseCli.run(dataSource, directory, "update").exit()).isZero();

            schema.editView("visits_summary", "count(*) AS visits", "count(*)   AS visits -- one row per visit\n");

            assertThat(LiquibaseCli.run(dataSource, directory, "status").output()).contains("is up to date");
            assertThat(schema.migrator(dataSource).plan().changedNothing()).isTrue();
        }
    }

    @Test
    void rolling_the_changeset_back_leaves_the_views_and_the_next_update_finds_them_in_step() {
        var schema = SchemaCopy.of(directory);
        try (var dataSource = TestDatabase.fresh("sync_views_rollback")) {
            assertThat(LiquibaseCli.run(dataSource, directory, "update").exit()).isZero();
            var catalog = new Catalog(dataSource);
            var views = catalog.managedViews();

            assertThat(LiquibaseCli.run(dataSource, directory, "rollback-count", "--count=1").exit()).isZero();

            assertThat(catalog.changesets()).doesNotContain("sync-views");
            assertThat(catalog.managedViews()).isEqualTo(views);
            assertThat(schema.migrator(dataSource).plan().summary()).as("vista migrate --check sees what Liquibase's status sees")
                    .isEqualTo("changesets: db/changelog.xml::sync-views");
            assertThat(LiquibaseCli.run(dataSource, directory, "update").exit()).isZero();
            assertThat(catalog.changesets()).endsWith("sync-views");
            assertThat(catalog.managedViews()).as("nothing to rebuild").isEqualTo(views);
        }
    }

    /**
     * What stock Liquibase does not give: it runs changesets one by one, so a table change that views are built on
     * fails (PostgreSQL refuses it), while Vista's migrator drops the views, runs it, and rebuilds them.
     */
    @Test
    void a_table_change_under_views_fails_under_stock_liquibase_and_vista_migrate_applies_it() {
        var schema = SchemaCopy.of(directory);
        try (var dataSource = TestDatabase.fresh("sync_views_table_change")) {
            assertThat(LiquibaseCli.run(dataSource, directory, "update").exit()).isZero();
            schema.addChangeset("006-wider-sections", "ALTER TABLE page_visits ALTER COLUMN section TYPE varchar(200);");

            assertThat(LiquibaseCli.run(dataSource, directory, "update").exit()).isEqualTo(1);
            var catalog = new Catalog(dataSource);
            assertThat(catalog.changesets()).doesNotContain("006-wider-sections");

            var result = schema.migrator(dataSource).migrate();

            assertThat(result.changesets()).containsExactly("db/tables/006-wider-sections.sql::006-wider-sections");
            assertThat(result.replace()).contains("visits_summary", "visit_log", "section_daily");
            assertThat(LiquibaseCli.run(dataSource, directory, "status").output()).contains("is up to date");
        }
    }
}
