package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MigrationTest {

    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.fresh("migration");
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void migrating_an_empty_database_creates_the_tables_then_every_view_in_dependency_order() {
        var result = new Migrator(dataSource, ChangelogSource.directory(TestDatabase.projectRoot())).migrate();

        assertThat(result.changesets()).containsExactly("db/tables/001-users.sql::001-users", "db/tables/002-page-visits.sql::002-page-visits",
                "db/tables/003-refresh-history.sql::003-refresh-history", "db/tables/004-page-visits-visit-date-index.sql::004-page-visits-visit-date-index",
                "db/tables/005-refresh-history-outside.sql::005-refresh-history-outside");
        assertThat(result.create()).containsExactlyInAnyOrder(
                "daily_totals", "section_daily", "section_daily_incremental", "user_stats", "visit_log", "visits_summary", "visits_summary_mv");
        // a view comes after the views it selects from, whatever the file names say
        assertThat(result.create().indexOf("visits_summary")).isLessThan(result.create().indexOf("daily_totals"));
        assertThat(result.create().indexOf("visits_summary")).isLessThan(result.create().indexOf("visits_summary_mv"));
        assertThat(result.repopulate()).containsExactly("section_daily", "visits_summary_mv");

        var relations = TestDatabase.dsl(dataSource).resultQuery("""
                SELECT relname || ':' || relkind::text FROM pg_class
                WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'v', 'm') ORDER BY relname
                """).fetch(0, String.class);
        assertThat(relations).containsExactly("daily_totals:v", "databasechangelog:r", "databasechangeloglock:r", "page_visits:r",
                "refresh_history:r", "section_daily:m", "section_daily_incremental:v", "user_stats:v", "users:r", "visit_log:v",
                "visits_summary:v", "visits_summary_mv:m");
        var uniqueIndexes = TestDatabase.dsl(dataSource).resultQuery("""
                SELECT indexrelid::regclass::text FROM pg_index WHERE indisunique AND indrelid = 'section_daily'::regclass
                """).fetch(0, String.class);
        assertThat(uniqueIndexes).containsExactly("section_daily_visit_date_section_key");
        var comment = TestDatabase.dsl(dataSource).resultQuery("SELECT obj_description('user_stats'::regclass, 'pg_class')").fetchOne(0, String.class);
        assertThat(comment).startsWith("User statistics\n\nPer user: total visits");

        var applied = TestDatabase.dsl(dataSource).resultQuery("SELECT fingerprint || ' ' || applied_at FROM vista.changelog_applied").fetchOne(0, String.class);
        assertThat(applied).as("the table changelog's fingerprint, so that the next start-up can skip Liquibase").matches("[0-9a-f]{64} .+");

        var again = new Migrator(dataSource, ChangelogSource.directory(TestDatabase.projectRoot())).migrate();
        assertThat(TestDatabase.dsl(dataSource).resultQuery("SELECT fingerprint || ' ' || applied_at FROM vista.changelog_applied").fetchOne(0, String.class))
                .isEqualTo(applied);
        assertThat(again.changedNothing()).isTrue();
        assertThat(again.summary()).isEqualTo("up to date");
        assertThat(List.of(again.create(), again.replace(), again.drop())).allMatch(List::isEmpty);
    }
}
