package dev.vista.cli;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.REFRESH_HISTORY;
import static dev.vista.generated.Tables.SECTION_DAILY;
import static dev.vista.generated.Tables.SECTION_DAILY_INCREMENTAL;
import static dev.vista.generated.Tables.VISITS_SUMMARY_MV;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.sum;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.util.HashMap;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code vista seed} leaves every stored aggregate equal to its data; durations in the environment are read one way. */
class SeedAndEnvironmentCommandTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;
    static Map<String, String> env;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.fresh("seed_command");
        dsl = TestDatabase.dsl(dataSource);
        env = CommandRun.environment(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void seeding_twice_leaves_every_stored_aggregate_equal_to_its_data_with_nothing_else_run() {
        assertThat(run(env, "seed", "--visits", "20000", "--users", "50").exit()).isZero();
        assertThat(run(env, "seed", "--visits", "30000", "--users", "50").exit()).isZero();

        assertThat(dsl.fetchCount(PAGE_VISITS)).isEqualTo(30_000);
        assertThat(total(SECTION_DAILY, SECTION_DAILY.VISITS)).as("section_daily").isEqualTo(30_000);
        assertThat(total(SECTION_DAILY_INCREMENTAL, SECTION_DAILY_INCREMENTAL.VISITS)).as("section_daily_incremental").isEqualTo(30_000);
        assertThat(total(VISITS_SUMMARY_MV, VISITS_SUMMARY_MV.VISITS)).as("visits_summary_mv").isEqualTo(30_000);
        // and the refreshes are on record, as the CLI's, so Last-Modified and the scheduler know about them
        var last = dsl.select(REFRESH_HISTORY.VIEW_NAME, REFRESH_HISTORY.TRIGGER, REFRESH_HISTORY.STATUS, REFRESH_HISTORY.ROW_COUNT)
                .from(REFRESH_HISTORY).orderBy(REFRESH_HISTORY.ID.desc()).limit(3).fetch()
                .map(r -> r.value1() + " " + r.value2() + " " + r.value3());
        assertThat(last).containsExactlyInAnyOrder("section_daily cli succeeded", "section_daily_incremental cli succeeded",
                "visits_summary_mv cli succeeded");
    }

    @Test
    void a_refresh_timeout_in_hours_is_a_duration_like_any_other() {
        var run = run(with("VISTA_REFRESH_TIMEOUT", "1h"), "migrate");

        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("migrated in ");
    }

    @Test
    void a_duration_vista_cannot_read_exits_2_naming_the_variable_and_the_accepted_forms() {
        var run = run(with("VISTA_REFRESH_TIMEOUT", "soon"), "migrate");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("vista: VISTA_REFRESH_TIMEOUT=soon is not a duration; expected a whole number and a unit:"
                + " 500ms, 90s, 15m, 2h or 1d (more than zero)\n");
        assertThat(run(with("VISTA_STATEMENT_TIMEOUT", "0s"), "migrate").err()).startsWith("vista: VISTA_STATEMENT_TIMEOUT=0s is not a duration");
        assertThat(run(with("VISTA_PORT", "http"), "migrate").err()).isEqualTo("vista: VISTA_PORT=http is not a whole number from 0 to 65535\n");
        assertThat(run(with("VISTA_REFRESH_SCHEDULES", "sometimes"), "migrate").exit()).isEqualTo(2);
    }

    private static long total(Table<?> table, Field<? extends Number> visits) {
        return dsl.select(sum(visits)).from(table).fetchOne(0, Long.class);
    }

    private static Map<String, String> with(String variable, String value) {
        var changed = new HashMap<>(env);
        changed.put(variable, value);
        return changed;
    }

    private static CommandRun run(Map<String, String> environment, String... args) {
        return CommandRun.of(environment, args);
    }
}
