package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Issue 3, behaviour 5: the view of a deleted file is dropped; a view Vista does not manage is never dropped, and a
 * change that would take one with it fails, naming it.
 */
class ViewSyncRemovalTest extends MigratedScratchSchema {

    ViewSyncRemovalTest() {
        super("viewsync_removal");
    }

    @Test
    void deleting_a_file_drops_its_view_and_leaves_views_vista_does_not_manage_alone() {
        catalog.execute("CREATE VIEW hand_made AS SELECT section, count(*) AS visits FROM page_visits GROUP BY section");
        catalog.execute("CREATE VIEW hand_made_on_user_stats AS SELECT user_id FROM user_stats");
        schema.deleteView("daily_totals");
        schema.deleteView("visits_summary_mv");

        var result = schema.migrator(dataSource).migrate();

        assertThat(result.drop()).containsExactlyInAnyOrder("daily_totals", "visits_summary_mv");
        assertThat(result.replace()).isEmpty();
        assertThat(catalog.views().keySet()).containsExactly("hand_made", "hand_made_on_user_stats", "section_daily", "section_daily_incremental", "user_stats",
                "visit_log", "visits_summary");
        assertThat(catalog.managedViews()).noneMatch(row -> row.startsWith("daily_totals") || row.startsWith("visits_summary_mv"));
        assertThat(schema.migrator(dataSource).migrate().summary()).isEqualTo("up to date");
    }

    @Test
    void changing_a_view_that_an_unmanaged_view_is_built_on_fails_and_names_it() {
        catalog.execute("CREATE VIEW hand_made_on_totals AS SELECT visit_date FROM daily_totals");
        var before = catalog.views();
        schema.editView("visits_summary", "count(*) AS visits", "count(*) AS visits, max(duration_ms) AS longest_ms");

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("view hand_made_on_totals depends on visits_summary but Vista does not manage it")
                .hasMessageContaining("refusing to drop it");

        assertThat(catalog.views()).isEqualTo(before);
    }

    @Test
    void deleting_the_file_of_a_view_that_an_unmanaged_view_is_built_on_fails_and_names_it() {
        catalog.execute("CREATE MATERIALIZED VIEW hand_made_copy AS SELECT * FROM visits_summary_mv");
        var before = catalog.views();
        schema.deleteView("visits_summary_mv");

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("view hand_made_copy depends on visits_summary_mv but Vista does not manage it");

        assertThat(catalog.views()).isEqualTo(before);
    }

    @Test
    void a_function_built_on_a_changed_view_stops_the_migration_which_names_it() {
        catalog.execute("CREATE FUNCTION busiest_section() RETURNS text LANGUAGE sql BEGIN ATOMIC"
                + " SELECT section FROM visits_summary GROUP BY section ORDER BY sum(visits) DESC LIMIT 1; END");
        var before = catalog.views();
        schema.editView("visits_summary", "count(*) AS visits", "count(*) AS visits, max(duration_ms) AS longest_ms");

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("cannot drop view visits_summary because other objects depend on it")
                .hasMessageContaining("function busiest_section() depends on view visits_summary");

        assertThat(catalog.views()).isEqualTo(before);
    }

    @Test
    void a_file_for_a_view_that_already_exists_but_vista_did_not_create_is_refused() {
        catalog.execute("CREATE VIEW busy_sections AS SELECT 1 AS one");
        schema.writeView("busy_sections", "SELECT section FROM page_visits GROUP BY section HAVING count(*) > 100");

        assertThatThrownBy(() -> schema.migrator(dataSource).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("db/views/busy_sections.sql: a relation named busy_sections (relkind v) already exists and Vista did not create it");

        assertThat(catalog.definition("busy_sections")).contains("1 AS one");
    }
}
