package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3, behaviour 1: a fresh database gets every view in dependency order, worked out from the SQL alone. */
class ViewSyncOrderTest {

    @TempDir
    Path directory;
    HikariDataSource dataSource;
    SchemaCopy schema;
    Catalog catalog;

    @BeforeEach
    void freshDatabase() {
        dataSource = TestDatabase.fresh("viewsync_order");
        schema = SchemaCopy.of(directory);
        catalog = new Catalog(dataSource);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void views_are_created_after_the_views_they_read_from_whatever_their_file_names_say() {
        // File names sort a, b, c; the dependencies run c -> b -> a, so name order would fail at once.
        schema.writeView("a_top", """
                -- Busy sections
                SELECT section, visits FROM "b_middle" WHERE visits > 1
                """);
        schema.writeView("b_middle", """
                -- Visits per section (materialized)
                -- vista:materialized
                -- vista:unique-index section
                SELECT section, sum(visits)::bigint AS visits FROM c_base GROUP BY section
                """);
        // A name in a string literal or a comment is not a dependency (else: a cycle c -> a -> b -> c).
        schema.writeView("c_base", """
                -- Visits per user and section
                SELECT user_id, section, count(*) AS visits
                FROM page_visits
                WHERE section <> 'a_top' -- not a_top
                GROUP BY user_id, section
                """);

        var result = schema.migrator(dataSource).migrate();

        assertThat(result.create()).containsSubsequence("c_base", "b_middle", "a_top");
        assertThat(result.create()).containsSubsequence("visits_summary", "daily_totals");
        assertThat(result.create()).containsSubsequence("visits_summary", "visits_summary_mv");
        assertThat(result.repopulate()).containsExactlyInAnyOrder("b_middle", "section_daily", "visits_summary_mv");
        assertThat(catalog.views().keySet()).containsExactly("a_top", "b_middle", "c_base", "daily_totals", "section_daily",
                "section_daily_incremental", "user_stats", "visit_log", "visits_summary", "visits_summary_mv");
        assertThat(catalog.columns("a_top")).containsExactly("section text", "visits bigint");
    }
}
