package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, behaviours 2 and 3: a changed view is replaced and everything built on it is rebuilt from its own file,
 * with its indexes, comment and grants; a view that did not change is not touched at all.
 */
class ViewSyncChangeTest {

    @TempDir
    Path directory;
    HikariDataSource dataSource;
    SchemaCopy schema;
    Catalog catalog;

    @BeforeEach
    void migratedDatabase() {
        dataSource = TestDatabase.fresh("viewsync_change");
        schema = SchemaCopy.of(directory);
        catalog = new Catalog(dataSource);
        // a plain view on visits_summary whose file does not change
        schema.writeView("active_days", """
                -- Active days per user
                SELECT user_id, count(DISTINCT visit_date) AS days FROM visits_summary GROUP BY user_id
                """);
        schema.migrator(dataSource).migrate();
    }

    @AfterEach
    void close() {
        catalog.dropRoles();
        dataSource.close();
    }

    @Test
    void renaming_a_column_rebuilds_the_plain_and_materialized_views_on_top_with_their_indexes_comments_and_grants() {
        var reader = catalog.createRole("reader");
        catalog.execute("GRANT SELECT ON visits_summary, daily_totals, visits_summary_mv TO " + reader);
        catalog.execute("CREATE INDEX visits_summary_mv_by_section ON visits_summary_mv (section, user_id) WHERE visit_date > '2020-01-01'");
        var indexesBefore = catalog.indexes("visits_summary_mv");
        var before = catalog.views();
        catalog.addVisits(1, 5); // after the first migrate: the materialized view does not have them yet
        assertThat(catalog.count("visits_summary_mv")).isZero();

        schema.editView("visits_summary", "count(*) AS visits", "count(*) AS visit_count");
        schema.editView("daily_totals", "sum(visits)", "sum(visit_count)");
        var result = schema.migrator(dataSource).migrate();

        assertThat(result.replace()).containsExactlyInAnyOrder("visits_summary", "daily_totals", "visits_summary_mv", "active_days");
        assertThat(result.replace().getFirst()).isEqualTo("visits_summary");
        assertThat(result.repopulate()).containsExactly("visits_summary_mv");
        assertThat(result.sideBySide()).as("its source is rebuilt too, so it is rebuilt in place").isEmpty();
        assertThat(result.create()).isEmpty();
        assertThat(result.drop()).isEmpty();

        var after = catalog.views();
        for (var rebuilt : List.of("visits_summary", "daily_totals", "visits_summary_mv", "active_days")) {
            assertThat(after.get(rebuilt)).as(rebuilt).isNotEqualTo(before.get(rebuilt));
        }
        for (var untouched : List.of("user_stats", "visit_log", "section_daily")) {
            assertThat(after.get(untouched)).as(untouched).isEqualTo(before.get(untouched));
        }
        assertThat(catalog.columns("visits_summary_mv")).containsExactly("user_id bigint", "section text", "visit_date date", "visit_count bigint");
        assertThat(catalog.count("visits_summary_mv")).as("repopulated").isEqualTo(catalog.count("visits_summary")).isEqualTo(3);
        assertThat(catalog.indexes("visits_summary_mv")).isEqualTo(indexesBefore).containsExactly(
                "CREATE INDEX visits_summary_mv_by_section ON public.visits_summary_mv USING btree (section, user_id) WHERE (visit_date > '2020-01-01'::date)",
                "CREATE INDEX visits_summary_mv_visit_date_idx ON public.visits_summary_mv USING btree (visit_date)",
                "CREATE UNIQUE INDEX visits_summary_mv_user_id_section_visit_date_key ON public.visits_summary_mv USING btree (user_id, section, visit_date)");
        for (var granted : List.of("visits_summary", "daily_totals", "visits_summary_mv")) {
            assertThat(catalog.grants(granted)).as(granted).containsExactly(reader + ": SELECT");
        }
        assertThat(catalog.grants("active_days")).isEmpty();
        assertThat(catalog.comment("visits_summary_mv")).startsWith("Visits per user, section and day (materialized)\n\nvisits_summary stored");
        assertThat(catalog.comment("active_days")).isEqualTo("Active days per user");
        assertThat(catalog.comment("daily_totals")).startsWith("Daily totals\n\n");
    }

    @Test
    void a_hand_added_index_on_a_column_that_is_gone_stops_the_migration_which_says_what_to_do() {
        catalog.execute("CREATE INDEX visits_summary_mv_by_visits ON visits_summary_mv (visits)");
        var before = catalog.views();
        schema.editView("visits_summary", "count(*) AS visits", "count(*) AS visit_count");
        schema.editView("daily_totals", "sum(visits)", "sum(visit_count)");

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessage("db/views/visits_summary_mv.sql: materialized view visits_summary_mv: index visits_summary_mv_by_visits"
                        + " was added by hand (it is not declared in the file) and cannot be put back on the new version:"
                        + " column \"visits\" does not exist. Declare it in the file with '-- vista:index', or drop it by hand first.");

        assertThat(catalog.views()).isEqualTo(before);
    }

    @Test
    void a_migrate_with_nothing_changed_keeps_every_view_and_does_not_recompute_materialized_data() {
        var before = catalog.views();
        catalog.addVisits(1, 5);

        var result = schema.migrator(dataSource).migrate();

        assertThat(result.summary()).isEqualTo("up to date");
        assertThat(catalog.views()).isEqualTo(before);
        assertThat(catalog.count("visits_summary")).isEqualTo(3);
        assertThat(catalog.count("visits_summary_mv")).as("not refreshed").isZero();
        assertThat(catalog.count("section_daily")).as("not refreshed").isZero();
    }

    @Test
    void whitespace_and_comments_in_the_sql_do_not_count_as_a_change() {
        var before = catalog.views();
        schema.editView("visits_summary", "count(*) AS visits", "count(*)   AS visits -- one row per visit\n");

        var result = schema.migrator(dataSource).migrate();

        assertThat(result.summary()).isEqualTo("up to date");
        assertThat(catalog.views()).isEqualTo(before);
    }

    @Test
    void changing_one_view_rebuilds_only_it_and_what_depends_on_it() {
        var before = catalog.views();
        catalog.addVisits(1, 5);
        schema.editView("user_stats", "count(DISTINCT v.section)", "count(DISTINCT v.section) FILTER (WHERE v.section <> 'index')");

        var result = schema.migrator(dataSource).migrate();

        assertThat(result.replace()).containsExactly("user_stats");
        var after = catalog.views();
        assertThat(after.get("user_stats")).isNotEqualTo(before.get("user_stats"));
        after.remove("user_stats");
        before.remove("user_stats");
        assertThat(after).isEqualTo(before);
        assertThat(catalog.count("visits_summary_mv")).as("not refreshed").isZero();
    }

    @Test
    void a_changed_title_only_updates_the_comment() {
        var before = catalog.views();
        catalog.addVisits(1, 5);
        schema.editView("visits_summary_mv", "-- Visits per user, section and day (materialized)", "-- Visits per user, section and day, stored");

        var result = schema.migrator(dataSource).migrate();

        assertThat(result.summary()).isEqualTo("comment: visits_summary_mv");
        assertThat(catalog.views()).isEqualTo(before);
        assertThat(catalog.comment("visits_summary_mv")).startsWith("Visits per user, section and day, stored\n\n");
        assertThat(catalog.count("visits_summary_mv")).as("not refreshed").isZero();
    }
}
