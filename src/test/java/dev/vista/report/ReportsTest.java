package dev.vista.report;

import static dev.vista.generated.Tables.USER_STATS;
import static dev.vista.generated.Tables.VISITS_SUMMARY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.Records.mapping;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.database.ReadSessions;
import dev.vista.generated.DefaultSchema;
import dev.vista.migrate.ChangelogSource;
import dev.vista.refresh.Freshness;
import dev.vista.testing.ReportFixture;
import dev.vista.testing.TestDatabase;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.conf.ParamType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java API: the same queries as the HTTP API, without HTTP, with typed results. */
class ReportsTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;
    static Reports reports;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("reports_api");
        dsl = TestDatabase.dsl(dataSource);
        ReportFixture.load(dataSource);
        reports = Reports.of(dataSource, Duration.ofSeconds(10));
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    record Visits(Long userId, String section, LocalDate day, Long visits) {
    }

    @Test
    void rows_takes_a_postgrest_query_and_returns_records_that_map_to_the_generated_classes() {
        var rows = reports.rows("visits_summary", ReportQuery.parse("section=in.(index,dashboard)&order=visits.desc&limit=2"));
        assertThat(rows.into(VISITS_SUMMARY).map(r -> r.getUserId() + " " + r.getSection() + " " + r.getVisitDate() + " " + r.getVisits()))
                .containsExactly("1 index 2026-01-10 2", "1 dashboard 2026-01-11 1");
    }

    @Test
    void the_query_can_be_built_in_code_and_every_source_gives_the_same_records() {
        var query = ReportQuery.all().withFilter("user_id", "gte.2").withOrder("visit_date.desc").withLimit(3);
        var expected = reports.rows("visits_summary", query).map(r -> r.into(VISITS_SUMMARY).into(Visits.class));
        assertThat(expected).hasSize(3).first().isEqualTo(new Visits(2L, "settings", LocalDate.parse("2026-01-12"), 1L));
        for (var source : reports.report("visits_summary").sourceNames()) {
            assertThat(reports.rows("visits_summary", query.withSource(source)).map(r -> r.into(VISITS_SUMMARY).into(Visits.class)))
                    .as(source).isEqualTo(expected);
        }
        assertThat(reports.count("visits_summary", query)).isEqualTo(4);
    }

    @Test
    void a_developer_writes_typesafe_jooq_against_the_generated_view_classes() {
        // the README's example: the view is a table to jOOQ, its columns typed fields
        var dashboard = dsl.select(VISITS_SUMMARY.USER_ID, VISITS_SUMMARY.SECTION, VISITS_SUMMARY.VISIT_DATE, VISITS_SUMMARY.VISITS)
                .from(VISITS_SUMMARY)
                .where(VISITS_SUMMARY.SECTION.eq("dashboard"))
                .orderBy(VISITS_SUMMARY.VISITS.desc())
                .fetch(mapping(Visits::new));
        assertThat(dashboard).containsExactly(new Visits(1L, "dashboard", LocalDate.parse("2026-01-11"), 1L));
        var busiest = reports.read(t -> t.selectFrom(USER_STATS).orderBy(USER_STATS.TOTAL_VISITS.desc()).limit(1).fetchOne());
        assertThat(busiest.getUsername()).isEqualTo("alice");
    }

    @Test
    void the_select_is_plain_jooq_with_bind_values_and_renders_inlined_for_copy() {
        var select = reports.select("visits_summary", ReportQuery.parse("section=eq.it's&order=visits.desc&select=user_id,visits"));
        assertThat(dsl.renderInlined(select.rows())).isEqualTo("select \"visits_summary\".\"user_id\", \"visits_summary\".\"visits\" "
                + "from \"visits_summary\" where \"visits_summary\".\"section\" = 'it''s' order by \"visits_summary\".\"visits\" desc, "
                + "\"visits_summary\".\"user_id\" asc, \"visits_summary\".\"section\" asc, \"visits_summary\".\"visit_date\" asc");
        assertThat(dsl.render(select.rows())).contains("\"section\" = ?");
        assertThat(select.rows().getBindValues()).containsExactly("it's");
        assertThat(dsl.renderContext().paramType(ParamType.INLINED).render(select.count()))
                .isEqualTo("select count(*) from \"visits_summary\" where \"visits_summary\".\"section\" = 'it''s'");
    }

    @Test
    void mistakes_are_exceptions_that_say_what_is_wrong() {
        assertThatThrownBy(() -> reports.rows("nope", ReportQuery.all()))
                .isInstanceOf(UnknownReportException.class).hasMessage("no report named 'nope'");
        assertThatThrownBy(() -> reports.rows("visits_summary", ReportQuery.parse("visits=gt.many")))
                .isInstanceOf(InvalidQueryException.class).hasMessage("visits=gt.many: 'many' is not a valid bigint")
                .extracting(e -> ((InvalidQueryException) e).parameter()).isEqualTo("visits");
    }

    @Test
    void the_groupby_sources_are_registered_only_with_exactly_the_views_columns() {
        var wrong = java.util.Map.<String, org.jooq.Select<?>>of("user_stats", GroupByQueries.visitsSummary());
        assertThatThrownBy(() -> ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, TestDatabase.viewFiles(), wrong))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a source of report user_stats has the columns [user_id, section, visit_date, visits], not the report's "
                        + "[user_id, username, total_visits, first_visit, last_visit, distinct_sections, visits_last_30_days]");
    }

    @Test
    void a_page_run_from_its_shapes_kept_sql_returns_what_jooq_returns_for_the_same_query() {
        for (var queryString : List.of("limit=100", "limit=2&offset=3", "user_id=eq.1&limit=5", "section=in.(index,dashboard)&order=visits.desc",
                "visit_date=gte.2026-01-11&order=visit_date.desc.nullslast", "section=not.like.dash*", "section=ilike.*IN*&offset=1",
                "limit=0", "user_id=eq.2&limit=100")) {
            for (var run = 0; run < 2; run++) { // the first run renders and keeps the shape's SQL, the second runs what was kept
                var read = reports.prepare("visits_summary_mv", ReportQuery.parse(queryString));
                var streamed = reports.stream(read, false, (provenance, total, cursor) -> cursor.fetch().map(Record::intoList));
                assertThat(streamed).as(queryString).isEqualTo(dsl.fetch(read.select().rows()).map(Record::intoList));
            }
        }
        for (var queryString : List.of("visit_time=lt.2026-01-11T12:00:00Z&order=visit_id", "visit_time=gte.2026-01-10 00:00:00+01&email=is.not_null",
                "duration_ms=gt.10&limit=3")) {
            for (var run = 0; run < 2; run++) {
                var read = reports.prepare("visit_log", ReportQuery.parse(queryString));
                var streamed = reports.stream(read, true, (provenance, total, cursor) -> cursor.fetch().map(Record::intoList));
                assertThat(streamed).as(queryString).isNotEmpty().isEqualTo(dsl.fetch(read.select().rows()).map(Record::intoList));
            }
        }
    }

    @Test
    void through_sessions_made_as_the_server_makes_them_a_read_of_one_statement_returns_the_same_rows_and_count() {
        var files = ChangelogSource.classpath().viewFiles();
        var query = ReportQuery.parse("user_id=gte.2&order=visit_date.desc,section&limit=4");
        try (var sessions = ReadSessions.beside(dataSource, Duration.ofSeconds(10))) {
            var served = new Reports(sessions, ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, files),
                    new Freshness(dsl, files), new Privileges(dsl));
            for (var source : reports.report("visits_summary").sourceNames()) {
                var sourced = query.withSource(source);
                assertThat(served.rows("visits_summary", sourced).map(r -> r.into(VISITS_SUMMARY).into(Visits.class))).as(source)
                        .hasSize(4).isEqualTo(reports.rows("visits_summary", sourced).map(r -> r.into(VISITS_SUMMARY).into(Visits.class)));
                assertThat(served.count("visits_summary", sourced)).as(source).isEqualTo(reports.count("visits_summary", sourced))
                        .isEqualTo(dsl.fetchCount(VISITS_SUMMARY, VISITS_SUMMARY.USER_ID.ge(2L)));
            }
        }
    }
}
