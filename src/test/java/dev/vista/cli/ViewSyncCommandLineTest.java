package dev.vista.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 3, behaviour 8, from the command line: {@code vista migrate}, {@code migrate --plan} and {@code migrate --check}. */
class ViewSyncCommandLineTest {

    record Run(int exitCode, String out, String err) {
    }

    static HikariDataSource dataSource;
    static Config config;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.fresh("viewsync_cli");
        config = Config.fromEnvironment(Map.of(
                "VISTA_DATABASE_URL", dataSource.getJdbcUrl(),
                "VISTA_DATABASE_USER", dataSource.getUsername(),
                "VISTA_DATABASE_PASSWORD", dataSource.getPassword() == null ? "" : dataSource.getPassword(),
                "VISTA_DATABASE_POOL_SIZE", "2"));
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static Run vista(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), config);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void plan_and_check_report_a_view_edited_by_hand_and_migrate_puts_it_back() {
        var plan = vista("migrate", "--plan");
        assertThat(plan.exitCode()).isZero();
        assertThat(plan.out()).startsWith("migrate would (nothing was changed):\n").contains("  create: ", "visits_summary_mv");
        assertThat(vista("migrate", "--check").exitCode()).as("nothing migrated yet").isEqualTo(3);

        var migrate = vista("migrate");
        assertThat(migrate.exitCode()).isZero();
        assertThat(migrate.out()).startsWith("migrated in ").contains("create: ");
        assertThat(vista("migrate", "--check")).isEqualTo(new Run(0, "up to date: the database matches db/\n", ""));

        TestDatabase.dsl(dataSource).execute("""
                CREATE OR REPLACE VIEW visit_log AS
                SELECT v.id AS visit_id, v.visit_time, v.section, v.duration_ms, v.user_id, u.username, NULL::text AS email
                FROM page_visits v JOIN users u ON u.id = v.user_id
                """);

        assertThat(vista("migrate", "--check")).isEqualTo(new Run(3, """
                the database differs from db/; migrate would:
                  replace: visit_log
                  drifted (edited by hand): visit_log
                """, ""));
        assertThat(vista("migrate", "--plan")).isEqualTo(new Run(0, """
                migrate would (nothing was changed):
                  replace: visit_log
                  drifted (edited by hand): visit_log
                """, ""));
        assertThat(vista("migrate").out()).endsWith("replace: visit_log; drifted (edited by hand): visit_log\n");
        assertThat(vista("migrate", "--check").exitCode()).isZero();
    }

    @Test
    void migrate_takes_only_plan_or_check() {
        var run = vista("migrate", "--force");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("vista: migrate: unknown option '--force'\n");
        assertThat(vista("migrate", "--plan", "--check").err()).startsWith("vista: migrate: --plan, --check are mutually exclusive (specify only one)\n");
    }
}
