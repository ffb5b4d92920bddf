package dev.vista.report;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;
import static dev.vista.generated.Tables.USER_STATS;
import static dev.vista.generated.Tables.VISITS_SUMMARY;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.countDistinct;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.select;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Map;
import org.jooq.Field;
import org.jooq.Select;
import org.jooq.impl.SQLDataType;
import org.jooq.types.DayToSecond;

/**
 * The talk's reports written as aggregation in code, the analogue of Django's
 * {@code .values(...).annotate(...)}: a {@code GROUP BY} over the tables, returning exactly the rows of the
 * view of the same name. Each column is aliased to the view's generated field, so dropping or renaming a
 * view column breaks this file at compile time; {@link ReportCatalogue} checks the names and their order.
 */
public final class GroupByQueries {

    private GroupByQueries() {
    }

    /** The hand-written query of each report that has one, by report name. */
    public static Map<String, Select<?>> all() {
        return Map.of(
                VISITS_SUMMARY.getName(), visitsSummary(),
                USER_STATS.getName(), userStats());
    }

    /** Visits per user, section and UTC day. */
    public static Select<?> visitsSummary() {
        // timezone('UTC', t) is what PostgreSQL turns "t AT TIME ZONE 'UTC'" into: the same day as the view's, and
        // the same expression as the index page_visits_visit_date_idx, so a filter on visit_date can use it
        Field<LocalDate> visitDate = function("timezone", LocalDateTime.class, inline("UTC"), PAGE_VISITS.VISIT_TIME)
                .cast(SQLDataType.LOCALDATE);
        return select(
                PAGE_VISITS.USER_ID.as(VISITS_SUMMARY.USER_ID),
                PAGE_VISITS.SECTION.as(VISITS_SUMMARY.SECTION),
                visitDate.as(VISITS_SUMMARY.VISIT_DATE),
                count().coerce(SQLDataType.BIGINT).as(VISITS_SUMMARY.VISITS))
                .from(PAGE_VISITS)
                .groupBy(PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, visitDate);
    }

    /** Per user, including users without visits: totals, first and last visit, sections, the last 30 days. */
    public static Select<?> userStats() {
        var visits = count(PAGE_VISITS.ID).coerce(SQLDataType.BIGINT);
        var recent = PAGE_VISITS.VISIT_TIME.ge(currentOffsetDateTime().minus(inline(new DayToSecond(30))));
        return select(
                USERS.ID.as(USER_STATS.USER_ID),
                USERS.USERNAME.as(USER_STATS.USERNAME),
                visits.as(USER_STATS.TOTAL_VISITS),
                min(PAGE_VISITS.VISIT_TIME).as(USER_STATS.FIRST_VISIT),
                max(PAGE_VISITS.VISIT_TIME).as(USER_STATS.LAST_VISIT),
                countDistinct(PAGE_VISITS.SECTION).coerce(SQLDataType.BIGINT).as(USER_STATS.DISTINCT_SECTIONS),
                count(PAGE_VISITS.ID).filterWhere(recent).coerce(SQLDataType.BIGINT).as(USER_STATS.VISITS_LAST_30_DAYS))
                .from(USERS)
                .leftJoin(PAGE_VISITS).on(PAGE_VISITS.USER_ID.eq(USERS.ID))
                .groupBy(USERS.ID, USERS.USERNAME);
    }
}
