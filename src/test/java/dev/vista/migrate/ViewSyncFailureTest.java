package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, behaviour 4: a view whose SQL fails leaves the database exactly as it was, table changesets included,
 * and the error names the file (with line and column), the view and PostgreSQL's message.
 */
class ViewSyncFailureTest extends MigratedScratchSchema {

    ViewSyncFailureTest() {
        super("viewsync_failure");
    }

    @BeforeEach
    void data() {
        catalog.addVisits(1, 5);
        catalog.execute("REFRESH MATERIALIZED VIEW visits_summary_mv");
    }

    /** Everything a failed migration could have touched. */
    private List<Object> snapshot() {
        var views = catalog.views();
        var definitions = views.keySet().stream().map(catalog::definition).toList();
        return List.of(views, definitions, catalog.columns("page_visits"), catalog.changesets(), catalog.managedViews(),
                catalog.indexes("visits_summary_mv"), catalog.count("visits_summary_mv"), catalog.comment("user_stats"));
    }

    @Test
    void a_view_that_does_not_compile_leaves_the_database_as_it_was_and_says_where_and_why() {
        var before = snapshot();
        schema.addChangeset("006-referrer", "ALTER TABLE page_visits ADD COLUMN referrer text;");
        schema.editView("user_stats", "-- User statistics", "-- User statistics, renamed");
        schema.editView("user_stats", "GROUP BY u.id, u.username", "GROUP BY u.id, u.username HAVING count(v.id) > 0");
        // visits_summary has dependants: they are dropped before it fails, and must come back
        schema.writeView("visits_summary", """
                -- Visits per user, section and day
                -- How many times each user opened each section, day by day (days in UTC): the talk's report.
                SELECT user_id,
                       section,
                       (visit_time AT TIME ZONE 'UTC')::date AS visit_date,
                       count(*) AS visits,
                       max(referer) AS last_referrer
                FROM page_visits
                GROUP BY user_id, section, visit_date
                """);

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("db/views/visits_summary.sql:7:12: view visits_summary: column \"referer\" does not exist")
                .hasMessageContaining("hint: Perhaps you meant to reference the column \"page_visits.referrer\"");

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_dependant_that_no_longer_compiles_is_named_with_its_own_file() {
        var before = snapshot();
        schema.editView("visits_summary", "count(*) AS visits", "count(*) AS visit_count");

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("db/views/daily_totals.sql:5:12: view daily_totals: column \"visits\" does not exist");

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_new_view_whose_key_names_a_column_it_does_not_have_fails_naming_the_file_and_the_column_and_changes_nothing() {
        var before = snapshot();
        schema.addChangeset("006-referrer", "ALTER TABLE page_visits ADD COLUMN referrer text;");
        schema.writeView("section_totals", """
                -- Visits per section
                -- vista:key section, day
                SELECT section, count(*) AS visits FROM page_visits GROUP BY section
                """);

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessage("db/views/section_totals.sql: vista:key names column 'day', which view section_totals does not have"
                        + " (its columns: section, visits)");

        assertThat(catalog.exists("section_totals")).isFalse();
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_key_edited_on_a_view_that_is_otherwise_unchanged_is_checked_too() {
        var before = snapshot();
        schema.editView("user_stats", "-- vista:key user_id", "-- vista:key user_id, email");

        assertThatThrownBy(() -> schema.migrator(dataSource).plan())
                .isInstanceOf(MigrationException.class)
                .hasMessage("db/views/user_stats.sql: vista:key names column 'email', which view user_stats does not have (its columns:"
                        + " user_id, username, total_visits, first_visit, last_visit, distinct_sections, visits_last_30_days)");
        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("db/views/user_stats.sql: vista:key names column 'email'");

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_unique_index_on_a_column_the_materialized_view_does_not_have_fails_naming_the_file() {
        var before = snapshot();
        schema.editView("visits_summary_mv", "-- vista:unique-index user_id, section, visit_date", "-- vista:unique-index user_id, section, day");

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("db/views/visits_summary_mv.sql: ")
                .hasMessageContaining("column \"day\" does not exist");

        assertThat(snapshot()).isEqualTo(before);
    }
}
