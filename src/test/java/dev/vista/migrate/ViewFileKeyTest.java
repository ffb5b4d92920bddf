package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Issue 12, item 5: a view's key is declared once, in its file. */
class ViewFileKeyTest {

    @Test
    void a_plain_view_declares_its_key_with_vista_key() {
        var file = ViewFile.parse("db/views/x.sql", """
                -- Visits per user and section
                -- vista:key user_id,section
                SELECT user_id, section, count(*) AS visits FROM page_visits GROUP BY user_id, section
                """);

        assertThat(file.key()).containsExactly("user_id", "section");
        assertThat(file.description()).isEmpty();
    }

    @Test
    void a_view_without_a_key_has_none() {
        assertThat(ViewFile.parse("db/views/x.sql", "SELECT 1 AS one").key()).isEmpty();
        assertThat(ViewFile.parse("db/views/x.sql", "-- vista:materialized\n-- vista:index one\nSELECT 1 AS one").key()).isEmpty();
    }

    @Test
    void a_materialized_views_key_is_its_first_unique_index() {
        var file = ViewFile.parse("db/views/x.sql", """
                -- vista:materialized
                -- vista:index visit_date
                -- vista:unique-index user_id, section, visit_date
                -- vista:unique-index visit_id
                SELECT * FROM visits
                """);

        assertThat(file.key()).containsExactly("user_id", "section", "visit_date");
    }

    @Test
    void an_incremental_aggregates_key_is_its_unique_index() {
        var file = ViewFile.parse("db/views/x.sql", """
                -- vista:incremental
                -- vista:unique-index visit_date, section
                -- vista:watermark page_visits.id
                -- vista:bucket visit_date = (visit_time AT TIME ZONE 'UTC')::date
                SELECT (visit_time AT TIME ZONE 'UTC')::date AS visit_date, section, count(*) AS visits FROM page_visits GROUP BY 1, 2
                """);

        assertThat(file.key()).containsExactly("visit_date", "section");
    }

    @Test
    void vista_key_on_a_materialized_view_is_refused_because_its_unique_index_is_the_key() {
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", "-- vista:key one\n-- vista:materialized\n-- vista:unique-index one\nSELECT 1 AS one"))
                .isInstanceOf(MigrationException.class)
                .hasMessage("db/views/x.sql: vista:key is for plain views; the key of a materialized view or incremental aggregate"
                        + " is its first '-- vista:unique-index', so declare the key there");
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", """
                -- vista:incremental
                -- vista:key visit_date
                -- vista:watermark page_visits.id
                -- vista:bucket visit_date = (visit_time AT TIME ZONE 'UTC')::date
                SELECT (visit_time AT TIME ZONE 'UTC')::date AS visit_date, count(*) AS visits FROM page_visits GROUP BY 1
                """))
                .hasMessageContaining("vista:key is for plain views");
    }

    @Test
    void a_key_names_plain_columns_once() {
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", "-- vista:key lower(name)\nSELECT 'a' AS name"))
                .hasMessage("db/views/x.sql: vista:key takes plain column names separated by commas, got 'lower(name)'");
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", "-- vista:key\nSELECT 'a' AS name"))
                .hasMessage("db/views/x.sql: vista:key takes plain column names separated by commas, got ''");
        assertThatThrownBy(() -> ViewFile.parse("db/views/x.sql", "-- vista:key name\n-- vista:key name\nSELECT 'a' AS name"))
                .hasMessage("db/views/x.sql: declare vista:key once");
    }

    @Test
    void declaring_a_key_does_not_change_the_view_so_it_is_not_rebuilt() {
        var sql = "SELECT 'a' AS name";

        assertThat(ViewFile.parse("db/views/x.sql", "-- vista:key name\n" + sql).hash()).isEqualTo(ViewFile.parse("db/views/x.sql", sql).hash());
    }
}
