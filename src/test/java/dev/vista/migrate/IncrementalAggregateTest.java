package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refresh options of a view file, and how migration creates, keeps, rebuilds and drops an incremental aggregate. */
class IncrementalAggregateTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;

    @TempDir
    static Path root;

    static final String DAILY = """
            -- Visits per day
            -- vista:incremental
            -- vista:unique-index visit_date
            -- vista:refresh 90s
            -- vista:watermark page_visits.id
            -- vista:bucket visit_date = (visit_time AT TIME ZONE 'UTC')::date
            SELECT (visit_time AT TIME ZONE 'UTC')::date AS visit_date, count(*) AS visits
            FROM page_visits
            GROUP BY visit_date
            """;

    @BeforeAll
    static void database() throws IOException {
        dataSource = TestDatabase.fresh("incremental_aggregate");
        dsl = TestDatabase.dsl(dataSource);
        var project = TestDatabase.projectRoot().resolve("db");
        Files.createDirectories(root.resolve("db/tables"));
        Files.createDirectories(root.resolve("db/views"));
        Files.copy(project.resolve("changelog.xml"), root.resolve("db/changelog.xml"));
        try (var tables = Files.list(project.resolve("tables"))) {
            for (var table : tables.toList()) {
                Files.copy(table, root.resolve("db/tables").resolve(table.getFileName()));
            }
        }
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void refresh_options_are_read_next_to_the_sql() {
        var file = ViewFile.parse("db/views/daily.sql", DAILY);

        assertThat(file.kind()).isEqualTo(Kind.INCREMENTAL);
        assertThat(file.refreshEvery()).contains(Duration.ofSeconds(90));
        assertThat(file.buckets()).contains(new ViewFile.Buckets("page_visits", "id", "visit_date", "(visit_time AT TIME ZONE 'UTC')::date"));
        assertThat(ViewFile.parse("db/views/x.sql", "-- vista:materialized\n-- vista:refresh 2h\nSELECT 1 AS one").refreshEvery())
                .contains(Duration.ofHours(2));
        assertThat(ViewFile.parse("db/views/x.sql", "SELECT 1 AS one").buckets()).isEqualTo(Optional.empty());
        // Options that only change refreshing do not make a view different: no rebuild for a new schedule.
        assertThat(ViewFile.parse("db/views/daily.sql", DAILY.replace("90s", "1d")).hash()).isEqualTo(file.hash());
    }

    @Test
    void refresh_options_are_refused_where_they_make_no_sense() {
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", "-- vista:refresh 15m\nSELECT 1 AS one"))
                .hasMessageContaining("need '-- vista:materialized' or '-- vista:incremental'");
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", "-- vista:materialized\n-- vista:refresh soon\nSELECT 1 AS one"))
                .hasMessage("db/views/x.sql: vista:refresh takes an interval of at least 1s, a whole number and a unit: 500ms, 90s, 15m, 2h or 1d; got 'soon'");
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", "-- vista:materialized\n-- vista:bucket d = now()::date\nSELECT 1 AS one"))
                .hasMessageContaining("declare both '-- vista:watermark table.id_column'");
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", "-- vista:incremental\nSELECT 1 AS one"))
                .hasMessageContaining("an incremental aggregate needs '-- vista:watermark table.id'");
    }

    @Test
    void an_incremental_aggregate_lives_in_a_table_vista_owns_behind_a_view_kept_across_migrations_rebuilt_and_dropped_with_its_file()
            throws IOException {
        var file = root.resolve("db/views/daily.sql");
        Files.writeString(file, DAILY);
        var created = migrate();
        assertThat(created.create()).contains("daily");
        assertThat(relkind("public", "daily")).isEqualTo("v");
        assertThat(relkind("vista", "daily")).isEqualTo("r");
        assertThat(dsl.resultQuery("SELECT pg_get_viewdef('public.daily'::regclass)").fetchOne(0, String.class))
                .contains("FROM vista.daily");
        assertThat(dsl.resultQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = 'vista' AND tablename = 'daily'").fetch(0, String.class))
                .containsExactly("CREATE UNIQUE INDEX daily_visit_date_key ON vista.daily USING btree (visit_date)");
        assertThat(dsl.resultQuery("SELECT obj_description('public.daily'::regclass, 'pg_class')").fetchOne(0, String.class)).isEqualTo("Visits per day");
        assertThat(dsl.resultQuery("SELECT count(*) FROM daily").fetchOne(0, Integer.class)).isZero(); // filled by its first refresh

        dsl.execute("INSERT INTO vista.daily VALUES (DATE '2026-11-01', 5)");
        var unchanged = migrate();
        assertThat(unchanged.changedNothing()).isTrue();
        assertThat(dsl.resultQuery("SELECT visits FROM daily").fetchOne(0, Long.class)).isEqualTo(5); // untouched, data kept

        Files.writeString(file, DAILY.replace("count(*) AS visits", "count(*) AS visits, count(DISTINCT user_id) AS users"));
        var changed = migrate();
        assertThat(changed.replace()).contains("daily");
        assertThat(dsl.resultQuery("SELECT count(*) FROM daily").fetchOne(0, Integer.class)).isZero(); // rebuilt: refilled by its next refresh
        assertThat(dsl.resultQuery("SELECT attname FROM pg_attribute WHERE attrelid = 'vista.daily'::regclass AND attnum > 0 ORDER BY attnum")
                .fetch(0, String.class)).containsExactly("visit_date", "visits", "users");

        Files.delete(file);
        var dropped = migrate();
        assertThat(dropped.drop()).contains("daily");
        assertThat(relkind("public", "daily")).isNull();
        assertThat(relkind("vista", "daily")).isNull();
    }

    private static Migrator.Result migrate() {
        return new Migrator(dataSource, ChangelogSource.directory(root)).migrate();
    }

    private static String relkind(String schema, String name) {
        return dsl.resultQuery("SELECT relkind::text FROM pg_class WHERE relnamespace = to_regnamespace(?) AND relname = ?", schema, name)
                .fetchOptional(0, String.class).orElse(null);
    }
}
