package dev.vista.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.generated.DefaultSchema;
import dev.vista.testing.TestDatabase;
import java.util.Arrays;
import java.util.List;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/** A shape's SQL, rendered once, is what jOOQ renders for every query of that shape, with that query's values. */
class RenderedSelectsTest {

    private static final org.jooq.DSLContext JOOQ = DSL.using(SQLDialect.POSTGRES);
    private final ReportCatalogue catalogue = ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, TestDatabase.viewFiles());

    /** Each line: a report, then two query strings of one shape, differing in their filters' values only. */
    private static final List<List<String>> SHAPES = List.of(
            List.of("visits_summary_mv", "section=eq.index&limit=100", "section=eq.billing&limit=100"),
            List.of("visits_summary_mv", "user_id=eq.1&limit=10&offset=200", "user_id=eq.2&limit=10&offset=200"),
            List.of("visits_summary_mv", "user_id=eq.3&limit=100", "user_id=eq.99&limit=100"),
            List.of("visits_summary_mv", "user_id=gte.3&user_id=lt.7&order=visits.desc,user_id", "user_id=gte.30&user_id=lt.70&order=visits.desc,user_id"),
            List.of("visits_summary_mv", "section=in.(index,settings)&select=user_id,visits", "section=in.(billing,\"a,b\")&select=user_id,visits"),
            List.of("visits_summary_mv", "visit_date=gte.2026-11-01&order=visit_date.desc.nullslast", "visit_date=gte.2025-01-31&order=visit_date.desc.nullslast"),
            List.of("visits_summary_mv", "section=not.like.dash*&limit=3", "section=not.like.*ings&limit=3"),
            List.of("visits_summary_mv", "section=ilike.*A*&offset=10", "section=ilike.b*&offset=10"),
            List.of("visit_log", "visit_time=lt.2026-11-01T09:30:00Z&email=is.null", "visit_time=lt.2026-10-01 10:00:00+01&email=is.null"),
            List.of("visit_log", "email=is.not_null&duration_ms=neq.5", "email=is.not_null&duration_ms=neq.500"),
            List.of("section_daily", "p50_duration_ms=gt.12.5&source=materialized", "p50_duration_ms=gt.1e3&source=materialized"),
            List.of("user_stats", "first_visit=gte.2026-11-01&limit=0", "first_visit=gte.2026-10-01&limit=0"),
            List.of("visits_summary", "source=groupby&user_id=eq.1&limit=100", "source=groupby&user_id=eq.2&limit=100"));

    @Test
    void every_query_of_a_shape_runs_the_sql_and_values_jooq_renders_for_it() {
        var rendered = new RenderedSelects();
        for (var shape : SHAPES) {
            var report = catalogue.get(shape.getFirst());
            for (var queryString : shape.subList(1, shape.size())) {
                var select = ReportSelect.of(report, ReportQuery.parse(queryString));
                var ran = rendered.rows(select);
                assertThat(JOOQ.render(ran)).as(queryString).isEqualTo(JOOQ.render(select.rows()));
                assertThat(JOOQ.extractBindValues(ran)).as(queryString).isEqualTo(JOOQ.extractBindValues(select.rows()));
                assertThat(names(ran.fields())).as(queryString).isEqualTo(names(select.fields().toArray(Field<?>[]::new)));
            }
        }
        // every shape above checked out, and its second query found the first one's text
        assertThat(rendered.kept()).isEqualTo(SHAPES.size());
    }

    /** Each field's name and type, as the JSON writer picks its column readers by. */
    private static List<String> names(Field<?>[] fields) {
        return Arrays.stream(fields).map(field -> field.getName() + " " + field.getType().getName()).toList();
    }

    @Test
    void queries_of_different_shapes_do_not_share_a_text() {
        var rendered = new RenderedSelects();
        var report = catalogue.get("visits_summary_mv");
        for (var queryString : List.of("limit=100", "limit=100&offset=5", "limit=0", "offset=5", "", "section=in.(a)", "section=in.(a,b)",
                "section=in.()", "section=not.in.(a)", "section=eq.a", "section=neq.a", "order=visits", "order=visits.desc", "select=visits")) {
            var select = ReportSelect.of(report, ReportQuery.parse(queryString));
            assertThat(JOOQ.render(rendered.rows(select))).as(queryString).isEqualTo(JOOQ.render(select.rows()));
            assertThat(JOOQ.extractBindValues(rendered.rows(select))).as(queryString).isEqualTo(JOOQ.extractBindValues(select.rows()));
        }
    }

    @Test
    void the_paging_is_written_into_the_sql_so_postgresql_plans_a_page_for_its_real_limit() {
        var rendered = new RenderedSelects();
        var report = catalogue.get("visits_summary_mv");
        var select = ReportSelect.of(report, ReportQuery.parse("user_id=eq.3&limit=100&offset=200"));
        var ran = rendered.rows(select);
        assertThat(JOOQ.render(ran)).endsWith("offset 200 rows fetch next 100 rows only");
        assertThat(JOOQ.extractBindValues(ran)).containsExactly(3L);
        var other = ReportSelect.of(report, ReportQuery.parse("user_id=eq.3&limit=100&offset=300"));
        assertThat(JOOQ.render(rendered.rows(other))).endsWith("offset 300 rows fetch next 100 rows only");
        assertThat(rendered.kept()).isEqualTo(2);
    }

    @Test
    void past_its_bound_the_kept_texts_start_again_and_stay_correct() {
        var rendered = new RenderedSelects();
        var report = catalogue.get("visits_summary_mv");
        for (int offset = 0; offset <= RenderedSelects.MAX_SHAPES + 10; offset++) {
            var select = ReportSelect.of(report, ReportQuery.parse("limit=10&offset=" + offset));
            assertThat(JOOQ.render(rendered.rows(select))).endsWith("offset " + offset + " rows fetch next 10 rows only");
            assertThat(rendered.kept()).isLessThanOrEqualTo(RenderedSelects.MAX_SHAPES);
        }
        assertThat(rendered.kept()).isBetween(1, 11);
    }
}
