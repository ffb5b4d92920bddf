package dev.vista.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.migrate.Kind;
import dev.vista.testing.LiquibaseCli;
import dev.vista.testing.TestDatabase;
import javax.sql.DataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * Stock Liquibase applies db/changelog.xml, tables and views ({@code vista:syncViews}), through its own command line
 * and as Spring Boot runs it; and Vista's command line agrees with it both ways: after Liquibase's update
 * {@code vista migrate --check} finds nothing to do, and after {@code vista migrate} Liquibase's status finds nothing
 * pending.
 */
class StockLiquibaseTest {

    @Test
    void liquibase_command_line_applies_the_tables_then_every_view_populated_and_vista_finds_nothing_to_do() {
        try (var dataSource = TestDatabase.fresh("stock_liquibase_cli")) {
            var tables = LiquibaseCli.run(dataSource, "update-count", "--count=4");
            assertThat(tables.exit()).isZero();
            addVisits(dataSource);

            var update = LiquibaseCli.run(dataSource, "update");

            assertThat(update.exit()).isZero();
            assertEveryViewExistsPopulated(dataSource);
            assertThat(changesets(dataSource)).containsExactly("001-users", "002-page-visits", "003-refresh-history",
                    "004-page-visits-visit-date-index", "005-refresh-history-outside", "sync-views");
            assertThat(LiquibaseCli.run(dataSource, "status").output()).contains("is up to date");
            assertThat(vista(dataSource, "migrate", "--check")).isEqualTo(new CommandRun(0, "up to date: the database matches db/\n", ""));
        }
    }

    @Test
    void update_sql_prints_the_view_ddl_changes_nothing_and_the_script_alone_builds_what_update_would() {
        try (var dataSource = TestDatabase.fresh("stock_liquibase_update_sql");
             var other = TestDatabase.fresh("stock_liquibase_script")) {
            var script = LiquibaseCli.run(dataSource, "update-sql");

            assertThat(script.exit()).isZero();
            assertThat(script.output()).contains(
                    "-- Changeset db/tables/001-users.sql::001-users::vista\nCREATE TABLE users (",
                    "-- Changeset db/changelog.xml::sync-views::vista\n",
                    "CREATE VIEW \"visits_summary\" AS\nSELECT user_id,",
                    "CREATE VIEW \"daily_totals\" AS\n",
                    "CREATE MATERIALIZED VIEW \"section_daily\" AS\n",
                    "CREATE MATERIALIZED VIEW \"visits_summary_mv\" AS\nSELECT * FROM visits_summary\nWITH DATA;",
                    "CREATE UNIQUE INDEX \"section_daily_visit_date_section_key\" ON \"section_daily\"",
                    "INSERT INTO \"vista\".\"managed_views\"",
                    "VALUES ('sync-views', 'vista', 'db/changelog.xml'");
            // the views come after the tables they read and the views they are built on
            assertThat(script.output().indexOf("CREATE TABLE page_visits")).isLessThan(script.output().indexOf("CREATE VIEW \"visits_summary\""));
            assertThat(script.output().indexOf("CREATE VIEW \"visits_summary\"")).isLessThan(script.output().indexOf("CREATE VIEW \"daily_totals\""));
            assertThat(relations(dataSource)).as("update-sql changes nothing").isEmpty();

            TestDatabase.dsl(other).execute(script.output());

            assertEveryViewExistsPopulated(other);
            assertThat(LiquibaseCli.run(other, "status").output()).contains("is up to date");
            assertThat(vista(other, "migrate", "--check").exit()).isZero();
        }
    }

    @Test
    void after_vista_migrate_liquibase_status_finds_nothing_pending() {
        try (var dataSource = TestDatabase.fresh("stock_liquibase_after_vista")) {
            assertThat(vista(dataSource, "migrate").exit()).isZero();

            var status = LiquibaseCli.run(dataSource, "status", "--verbose");

            assertThat(status.exit()).isZero();
            assertThat(status.output()).contains("is up to date");
            assertThat(changesets(dataSource)).endsWith("sync-views");
        }
    }

    /** The Liquibase API exactly as Spring Boot's LiquibaseAutoConfiguration drives it, with {@code spring.liquibase.change-log=classpath:db/changelog.xml}. */
    @Test
    void spring_liquibase_applies_the_changelog_from_the_class_path_and_vista_finds_nothing_to_do() throws Exception {
        try (var dataSource = TestDatabase.fresh("stock_liquibase_spring")) {
            var liquibase = new SpringLiquibase();
            liquibase.setDataSource(dataSource);
            liquibase.setChangeLog("classpath:db/changelog.xml");
            liquibase.setResourceLoader(new DefaultResourceLoader(getClass().getClassLoader()));

            liquibase.afterPropertiesSet();

            assertEveryViewExistsPopulated(dataSource);
            assertThat(vista(dataSource, "migrate", "--check")).isEqualTo(new CommandRun(0, "up to date: the database matches db/\n", ""));
            assertThat(LiquibaseCli.run(dataSource, "status").output()).contains("is up to date");
        }
    }

    private static CommandRun vista(com.zaxxer.hikari.HikariDataSource dataSource, String... args) {
        return CommandRun.of(CommandRun.environment(dataSource), args);
    }

    /** Every file of db/views is there as its kind, a materialized view holding what its query returns now. */
    private static void assertEveryViewExistsPopulated(DataSource dataSource) {
        var dsl = TestDatabase.dsl(dataSource);
        for (var file : TestDatabase.viewFiles()) {
            var kind = dsl.resultQuery("SELECT relkind::text FROM pg_class WHERE oid = to_regclass(?)", file.name()).fetchOne(0, String.class);
            assertThat(kind).as(file.name()).isEqualTo(file.kind() == Kind.MATERIALIZED_VIEW ? "m" : "v");
            if (file.kind() == Kind.MATERIALIZED_VIEW) {
                var stored = dsl.resultQuery("SELECT count(*) FROM " + file.name()).fetchOne(0, Long.class);
                var now = dsl.resultQuery("SELECT count(*) FROM (" + file.query() + ") q").fetchOne(0, Long.class);
                assertThat(stored).as(file.name() + " is populated").isEqualTo(now);
            }
            if (file.kind() == Kind.INCREMENTAL) {
                assertThat(dsl.resultQuery("SELECT to_regclass(?) IS NOT NULL", "vista." + file.name()).fetchOne(0, Boolean.class))
                        .as(file.name() + "'s storage (filled by its first refresh)").isTrue();
            }
        }
        assertThat(dsl.resultQuery("SELECT count(*) FROM vista.managed_views").fetchOne(0, Integer.class)).isEqualTo(TestDatabase.viewFiles().size());
    }

    private static void addVisits(DataSource dataSource) {
        TestDatabase.dsl(dataSource).execute("""
                INSERT INTO users (username, email) VALUES ('ann', 'ann@example.com'), ('bob', NULL);
                INSERT INTO page_visits (user_id, section, visit_time, duration_ms)
                SELECT 1 + g % 2, (ARRAY['index', 'dashboard', 'settings'])[1 + g % 3], now() - g * interval '3 hours', g * 10
                FROM generate_series(1, 60) g;
                """);
    }

    private static java.util.List<String> changesets(DataSource dataSource) {
        return TestDatabase.dsl(dataSource).resultQuery("SELECT id FROM databasechangelog ORDER BY orderexecuted").fetch(0, String.class);
    }

    /** The tables, views and materialized views of the database, Liquibase's own tables aside. */
    private static java.util.List<String> relations(DataSource dataSource) {
        return TestDatabase.dsl(dataSource).resultQuery("""
                SELECT relnamespace::regnamespace || '.' || relname FROM pg_class
                WHERE relkind IN ('r', 'v', 'm') AND relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
                  AND relname NOT LIKE 'databasechangelog%'
                ORDER BY 1
                """).fetch(0, String.class);
    }
}
