package dev.vista.report;

import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.sum;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Select;
import org.jooq.SelectField;
import org.jooq.impl.SQLDataType;

/**
 * A report's chart: the whole filtered result aggregated in PostgreSQL, never a page of it. A report with a date or
 * timestamp column is a time series, one point per day (days of a timestamp in the session's time zone, UTC); one
 * without, but with a text column, is bars per value, the largest {@link #BARS} of them with the number of values
 * there are. The measures are {@code rows} (the number of rows) and the sum of each numeric column that is neither
 * part of the key nor an id. A chart that took longer than its time box is {@link #timedOut}: absent, never partial.
 *
 * @param groupBy the column on the x axis
 * @param groups  how many x values the result has; more than {@code points} for bars cut to the largest
 */
public record Chart(Shape shape, String groupBy, List<String> measures, List<Point> points, long groups, boolean timedOut) {

    public enum Shape {
        /** One point per day of {@code groupBy}, in date order. */
        DAYS,
        /** One bar per value of {@code groupBy}, largest first by the first measure. */
        BARS,
        /** Nothing to chart: no date, timestamp or text column. */
        NONE
    }

    /** One x value (a LocalDate for days, the text or null for bars) and a value per measure, in the order of {@code measures}. */
    public record Point(Object x, List<Number> values) {
    }

    /** The most bars drawn; the chart says how many values there are beyond. */
    public static final int BARS = 30;

    public static final String ROWS = "rows";

    /** What a report's chart would show, before anything is counted. */
    public record Plan(Shape shape, Optional<Report.Column> groupBy, List<Report.Column> sums) {

        public List<String> measures() {
            var names = new ArrayList<String>();
            sums.forEach(c -> names.add(c.name()));
            names.add(ROWS);
            return names;
        }
    }

    public static Plan plan(Report report) {
        var key = report.keyFields();
        var sums = report.columns().stream()
                .filter(c -> Number.class.isAssignableFrom(c.field().getType()))
                .filter(c -> !key.contains(c.field()) && !c.name().equals("id") && !c.name().endsWith("_id"))
                .toList();
        var time = report.columns().stream().filter(c -> isTime(c.field().getType())).findFirst();
        if (time.isPresent()) {
            return new Plan(Shape.DAYS, time, sums);
        }
        var text = Facet.columns(report).stream().filter(c -> c.field().getType() == String.class).findFirst();
        return text.map(c -> new Plan(Shape.BARS, Optional.of(c), sums)).orElseGet(() -> new Plan(Shape.NONE, Optional.empty(), sums));
    }

    static Chart none(Plan plan) {
        return new Chart(Shape.NONE, null, plan.measures(), List.of(), 0, false);
    }

    static Chart timedOut(Plan plan) {
        return new Chart(plan.shape(), plan.groupBy().map(Report.Column::name).orElse(null), plan.measures(), List.of(), 0, true);
    }

    /** The aggregation: {@code SELECT day, sum(m)..., count(*) ... WHERE <filters> GROUP BY day ORDER BY day}, or bars. */
    static Select<Record> query(Plan plan, ReportSelect rows) {
        var column = plan.groupBy().orElseThrow();
        // grouped and ordered by the expression, not by its alias: GROUP BY visit_time would mean the column itself
        Field<?> x = plan.shape() == Shape.DAYS && column.field().getType() != LocalDate.class
                ? column.field().cast(SQLDataType.LOCALDATE)
                : column.field();
        var fields = new ArrayList<SelectField<?>>();
        fields.add(x.as(column.name()));
        plan.sums().forEach(c -> fields.add(sum(numeric(c)).as(c.name())));
        fields.add(count().as(ROWS));
        var from = rows.source().from();
        if (plan.shape() == Shape.DAYS) {
            return select(fields).from(from).where(rows.where()).groupBy(x).orderBy(x);
        }
        fields.add(count().over().as("groups"));
        var largest = plan.sums().isEmpty() ? count() : sum(numeric(plan.sums().getFirst()));
        return select(fields).from(from).where(rows.where()).groupBy(x).orderBy(largest.desc(), column.field().asc().nullsLast()).limit(BARS);
    }

    static Chart of(Plan plan, List<Record> result) {
        var points = new ArrayList<Point>();
        var measures = plan.measures();
        long groups = result.size();
        for (var record : result) {
            var values = new ArrayList<Number>();
            for (int i = 1; i <= measures.size(); i++) {
                values.add((Number) record.get(i));
            }
            points.add(new Point(record.get(0), values));
            if (plan.shape() == Shape.BARS) {
                groups = record.get("groups", Long.class);
            }
        }
        return new Chart(plan.shape(), plan.groupBy().orElseThrow().name(), measures, points, groups, false);
    }

    @SuppressWarnings("unchecked")
    private static Field<BigDecimal> numeric(Report.Column column) {
        return (Field<BigDecimal>) (Field<?>) column.field();
    }

    private static boolean isTime(Class<?> type) {
        return type == LocalDate.class || type == OffsetDateTime.class || type == LocalDateTime.class;
    }
}
