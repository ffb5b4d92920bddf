package dev.vista.report;

import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.select;

import java.util.List;
import org.jooq.Field;
import org.jooq.Record2;
import org.jooq.Select;

/**
 * Datasette's facet: the most frequent values of one column with their counts, under a query's filters except those on
 * the column itself, so that the other values stay visible (and selectable) once one is chosen. {@code complete} says
 * that every value of the column is listed; a facet that took longer than its time box is {@link #timedOut}: absent,
 * never a partial count.
 */
public record Facet(String column, List<Value> values, boolean complete, boolean timedOut) {

    /** One value (null for NULL) and how many rows hold it. */
    public record Value(Object value, long count) {
    }

    /** At most this many values are counted; a column with fewer is listed {@code complete} (a low-cardinality column). */
    public static final int VALUES = 30;

    static Facet timedOut(String column) {
        return new Facet(column, List.of(), false, true);
    }

    /**
     * The columns worth a facet: text and boolean columns, except one that is the report's key on its own (every
     * value would count 1).
     */
    public static List<Report.Column> columns(Report report) {
        var key = report.keyFields();
        return report.columns().stream()
                .filter(c -> c.field().getType() == String.class || c.field().getType() == Boolean.class)
                .filter(c -> !(key.size() == 1 && key.getFirst().equals(c.field())))
                .toList();
    }

    /**
     * The counting query: {@code SELECT col, count(*) ... WHERE <other filters> GROUP BY col ORDER BY count(*) DESC, col
     * LIMIT 31}, on the same source as the rows.
     */
    static Select<Record2<Object, Integer>> query(ReportSelect rows, Report.Column column) {
        var others = ReportSelect.of(rows.report(), rows.query().withoutFiltersOn(column.name())).on(rows.source());
        @SuppressWarnings("unchecked")
        var field = (Field<Object>) column.field();
        return select(field, count())
                .from(others.source().from())
                .where(others.where())
                .groupBy(field)
                .orderBy(count().desc(), field.asc().nullsLast())
                .limit(VALUES + 1);
    }

    static Facet of(String column, List<Record2<Object, Integer>> counted) {
        var values = counted.stream().limit(VALUES).map(r -> new Value(r.value1(), r.value2())).toList();
        return new Facet(column, values, counted.size() <= VALUES, false);
    }

    /** Whether every listed value is held by one row only: a column of distinct values, which a facet tells nothing about. */
    public boolean distinct() {
        return !values.isEmpty() && values.getFirst().count() == 1;
    }
}
