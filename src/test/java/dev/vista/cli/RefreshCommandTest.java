package dev.vista.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code vista refresh}: what it prints, what it records, and its exit codes, against a real database. */
class RefreshCommandTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;
    static Map<String, String> env;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("refresh_command");
        dsl = TestDatabase.dsl(dataSource);
        TestDatabase.demoData(dataSource).seedIfEmpty();
        env = CommandRun.environment(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void refresh_of_one_view_prints_what_it_did_and_records_it_as_cli() {
        var run = run("refresh", "section_daily", "--concurrently");

        assertThat(run.exit()).isZero();
        var watermark = dsl.resultQuery("SELECT max(id) FROM page_visits").fetchOne(0, Long.class);
        var rows = dsl.fetchCount(dsl.selectFrom("section_daily"));
        assertThat(run.out()).matches("refreshed section_daily \\(concurrent\\) in [\\d,]+ ms: " + rows + " rows, watermark " + watermark + "\n");
        assertThat(dsl.resultQuery("SELECT trigger FROM refresh_history ORDER BY id DESC LIMIT 1").fetchOne(0, String.class)).isEqualTo("cli");
    }

    @Test
    void refresh_without_a_view_refreshes_everything_in_dependency_order_saying_what_it_does_and_how_long_it_took() {
        var run = run("refresh");

        assertThat(run.exit()).isZero();
        assertThat(run.out().lines().map(line -> line.split(" ")[1]).toList())
                .containsExactly("section_daily", "section_daily_incremental", "visits_summary_mv");
        assertThat(run.err()).matches("refresh: every materialized view and incremental aggregate, in dependency order, concurrently where possible\n"
                + "refresh: 3 views in \\d+\\.\\d s\n");
    }

    @Test
    void refusals_exit_with_4_and_say_why() {
        var unknown = run("refresh", "nope");
        assertThat(unknown.exit()).isEqualTo(4);
        assertThat(unknown.err()).isEqualTo("vista: no materialized view or incremental aggregate named 'nope'\n");

        var usage = run("refresh", "a", "b");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).startsWith("vista: refresh: unexpected argument 'b'\nUsage: vista refresh ");
    }

    static CommandRun run(String... args) {
        return CommandRun.of(env, args);
    }
}
