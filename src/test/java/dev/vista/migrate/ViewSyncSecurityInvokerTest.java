package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vista.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * {@code -- vista:security-invoker}: the view is created WITH (security_invoker = true), keeps it across rebuilds, and
 * an option changed by hand is drift that migrate puts back; materialized views cannot have it.
 */
class ViewSyncSecurityInvokerTest extends MigratedScratchSchema {

    ViewSyncSecurityInvokerTest() {
        super("viewsync_invoker");
    }

    private String options(String view) {
        return TestDatabase.dsl(dataSource).resultQuery("SELECT coalesce(reloptions::text, '') FROM pg_class WHERE relname = ?", view)
                .fetchOne(0, String.class);
    }

    @Test
    void a_security_invoker_view_is_created_with_the_option_and_other_views_without() {
        assertThat(options("visit_log")).isEqualTo("{security_invoker=true}");
        assertThat(options("visits_summary")).isEmpty();
        assertThat(options("daily_totals")).isEmpty();
    }

    @Test
    void the_option_survives_a_rebuild_of_the_view() {
        schema.editView("visit_log", "u.email", "u.email, u.created_at AS user_created_at");
        var result = schema.migrator(dataSource).migrate();
        assertThat(result.replace()).containsExactly("visit_log");
        assertThat(options("visit_log")).isEqualTo("{security_invoker=true}");
    }

    @Test
    void an_option_changed_by_hand_is_drift_and_migrate_puts_it_back() {
        catalog.execute("ALTER VIEW visit_log RESET (security_invoker)");
        var plan = schema.migrator(dataSource).plan();
        assertThat(plan.drifted()).containsExactly("visit_log");
        schema.migrator(dataSource).migrate();
        assertThat(options("visit_log")).isEqualTo("{security_invoker=true}");

        catalog.execute("ALTER VIEW daily_totals SET (security_invoker = on)");
        assertThat(schema.migrator(dataSource).plan().drifted()).containsExactly("daily_totals");
        schema.migrator(dataSource).migrate();
        assertThat(options("daily_totals")).isEmpty();
        assertThat(schema.migrator(dataSource).plan().summary()).isEqualTo("up to date");
    }

    @Test
    void adding_or_removing_the_option_in_the_file_replaces_the_view() {
        schema.editView("visit_log", "-- vista:security-invoker\n", "");
        assertThat(schema.migrator(dataSource).migrate().replace()).containsExactly("visit_log");
        assertThat(options("visit_log")).isEmpty();
        schema.editView("user_stats", "-- vista:key user_id\n", "-- vista:key user_id\n-- vista:security-barrier\n");
        assertThat(schema.migrator(dataSource).migrate().replace()).containsExactly("user_stats");
        assertThat(options("user_stats")).isEqualTo("{security_barrier=true}");
    }

    @Test
    void a_materialized_view_cannot_be_security_invoker() {
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", "-- X\n-- vista:materialized\n-- vista:security-invoker\nSELECT 1 AS a"))
                .isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("db/views/x.sql: security-invoker and security-barrier are options of plain views; a materialized view stores its rows");
    }
}
