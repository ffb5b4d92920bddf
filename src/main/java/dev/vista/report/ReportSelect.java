package dev.vista.report;

import static dev.vista.report.InvalidQueryException.details;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.not;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectCount;

import dev.vista.report.ReportQuery.Filter;
import dev.vista.report.ReportQuery.Order;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.Record;
import org.jooq.Select;
import org.jooq.SortField;
import org.jooq.exception.DataTypeException;

/**
 * The jOOQ {@code Select} for a report, a source and a {@link ReportQuery}: the source as a table named like
 * the report, then the same conditions, order and paging whatever the source. Column names come only from
 * the catalogue and values only as bind values, each parsed into its column's Java type first.
 *
 * <p>{@link #rows()} is the query to run, {@link #count()} counts its rows without paging. Both can be
 * rendered with {@code DSLContext.renderInlined} for PostgreSQL's {@code COPY (...) TO STDOUT}. {@code whereValues}
 * are the values {@code where} binds, in the order they appear in it: with {@link #rowsValues()}, what lets
 * {@link RenderedSelects} run the SQL of a query's shape rendered once.
 */
public record ReportSelect(Report report, Report.Source source, List<Field<?>> fields, Condition where, List<Object> whereValues,
                           List<SortField<?>> order, ReportQuery query) {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]{1,20}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]{1,4})?");
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter();

    public static ReportSelect of(Report report, ReportQuery query) {
        var source = query.source().map(name -> report.source(name).orElseThrow(() -> unknownSource(report, name)))
                .orElse(report.defaultSource());
        var fields = new ArrayList<Field<?>>();
        for (var name : query.select().orElse(List.of("*"))) {
            if (name.equals("*")) {
                report.columns().forEach(c -> add(fields, c.field()));
            } else {
                add(fields, column(report, name, "select").field());
            }
        }
        var where = noCondition();
        var values = new ArrayList<>();
        for (var filter : query.filters()) {
            where = where.and(condition(column(report, filter.column(), filter.column()), filter, values));
        }
        var order = new ArrayList<SortField<?>>();
        var ordered = new ArrayList<Field<?>>();
        for (var item : query.order()) {
            var field = column(report, item.column(), "order").field();
            order.add(sortField(field, item));
            ordered.add(field);
        }
        // the key breaks ties, so that pages do not overlap and every source returns rows in the same order
        for (var key : report.keyFields()) {
            if (!ordered.contains(key)) {
                order.add(key.asc());
            }
        }
        return new ReportSelect(report, source, List.copyOf(fields), where, List.copyOf(values), List.copyOf(order), query);
    }

    /**
     * The rows asked for: selected columns, filtered, ordered, paged. The limit and offset are written into the SQL
     * (they are numbers, checked when the query was parsed), not bound: PostgreSQL plans a {@code LIMIT $1} for an
     * unknown tenth of the rows, so a prepared page would be planned anew on every run (its generic plan looks dearer
     * than a custom one), and an unfiltered page with its paging in its text has one plan that is planned once per
     * session. Measured with pgbench, the 100-row page prepared: about a quarter more pages per second.
     */
    public Select<Record> rows() {
        var ordered = select(fields).from(source.from()).where(where).orderBy(order);
        if (query.limit().isPresent()) {
            return ordered.limit(inline(query.limit().getAsLong())).offset(inline(query.offset()));
        }
        return query.offset() > 0 ? ordered.offset(inline(query.offset())) : ordered;
    }

    /** The values {@link #rows()} binds, in their order: the filters' (the paging is written into the SQL). */
    List<Object> rowsValues() {
        return whereValues;
    }

    /** The rows that match the filters, unordered and unpaged: what the planner estimates the number of. */
    public Select<Record> unpaged() {
        return select(fields).from(source.from()).where(where);
    }

    /**
     * The rows asked for, for a whole export: as {@link #rows()}, but without the key's tie-breaker when the query asks
     * for no order and no paging. Then the order means nothing and sorting costs a tenth of a COPY, so the rows come in
     * the database's order (each exactly once); with {@code order}, {@code limit} or {@code offset} they come sorted.
     */
    public Select<Record> export() {
        if (query.order().isEmpty() && query.limit().isEmpty() && query.offset() == 0) {
            return unpaged();
        }
        return rows();
    }

    /** How many rows match the filters, ignoring limit and offset (for {@code Prefer: count=exact}). */
    public Select<Record1<Integer>> count() {
        return selectCount().from(source.from()).where(where);
    }

    /** The same query on another source of the report. */
    public ReportSelect on(Report.Source other) {
        return new ReportSelect(report, other, fields, where, whereValues, order, query);
    }

    private static void add(List<Field<?>> fields, Field<?> field) {
        if (!fields.contains(field)) {
            fields.add(field);
        }
    }

    private static Report.Column column(Report report, String name, String parameter) {
        return report.column(name).orElseThrow(() -> new InvalidQueryException("unknown_column", parameter,
                report.name() + " has no column '" + name + "'" + (parameter.equals(name) ? "" : " (in " + parameter + ")"),
                details("parameter", parameter, "column", name, "columns", report.columnNames()),
                "filter, order and select by the columns listed; the other query parameters are select, order, limit, offset and source"));
    }

    private static InvalidQueryException unknownSource(Report report, String name) {
        return new InvalidQueryException("unknown_source", "source", report.name() + " has no source '" + name + "'",
                details("parameter", "source", "value", name, "sources", report.sourceNames()),
                "source is one of " + String.join(", ", report.sourceNames()));
    }

    private static SortField<?> sortField(Field<?> field, Order item) {
        var sort = item.descending() ? field.desc() : field.asc();
        return switch (item.nulls()) {
            case first -> sort.nullsFirst();
            case last -> sort.nullsLast();
            case unspecified -> sort;
        };
    }

    /** A filter's condition; the values it binds are added to {@code values}, in their order. */
    private static <T> Condition condition(Report.Column column, Filter filter, List<Object> values) {
        @SuppressWarnings("unchecked")
        var field = (Field<T>) column.field();
        var condition = switch (filter.operator()) {
            case eq -> field.eq(bound(values, value(column, field, filter, filter.value())));
            case neq -> field.ne(bound(values, value(column, field, filter, filter.value())));
            case gt -> field.gt(bound(values, value(column, field, filter, filter.value())));
            case gte -> field.ge(bound(values, value(column, field, filter, filter.value())));
            case lt -> field.lt(bound(values, value(column, field, filter, filter.value())));
            case lte -> field.le(bound(values, value(column, field, filter, filter.value())));
            case like, ilike -> like(column, filter, values);
            case in -> field.in(list(filter).stream().map(v -> bound(values, value(column, field, filter, v))).toList());
            case is -> is(column, filter, values);
        };
        return filter.negated() ? not(condition) : condition;
    }

    private static <T> T bound(List<Object> values, T value) {
        values.add(value);
        return value;
    }

    /** PostgREST's {@code like}: {@code *} stands for {@code %}, so that patterns need no URL escaping. */
    private static Condition like(Report.Column column, Filter filter, List<Object> values) {
        if (column.field().getType() != String.class) {
            throw wrongOperator(column, filter, "works on text columns only");
        }
        @SuppressWarnings("unchecked")
        var text = (Field<String>) column.field();
        var pattern = bound(values, filter.value().replace('*', '%'));
        return filter.operator() == ReportQuery.Operator.like ? text.like(pattern) : text.likeIgnoreCase(pattern);
    }

    private static Condition is(Report.Column column, Filter filter, List<Object> values) {
        var field = column.field();
        var value = filter.value();
        if (List.of("true", "false", "unknown").contains(value) && field.getType() != Boolean.class) {
            throw wrongOperator(column, filter, value + " works on boolean columns only");
        }
        return switch (value) {
            case "null", "unknown" -> field.isNull();
            case "not_null" -> field.isNotNull();
            case "true" -> field.coerce(Boolean.class).isNotDistinctFrom(bound(values, true));
            case "false" -> field.coerce(Boolean.class).isNotDistinctFrom(bound(values, false));
            default -> throw new InvalidQueryException("invalid_value", filter.column(),
                    filter.parameter() + ": is takes null, not_null, true, false or unknown",
                    details("parameter", filter.column(), "value", filter.value(), "expected", "null, not_null, true, false or unknown"),
                    "e.g. " + filter.column() + "=is.null");
        };
    }

    private static InvalidQueryException wrongOperator(Report.Column column, Filter filter, String why) {
        return new InvalidQueryException("invalid_operator", filter.column(),
                filter.parameter() + ": " + filter.operator() + " " + why + "; " + column.name() + " is " + column.type(),
                details("parameter", filter.column(), "operator", filter.operator().name(), "type", column.type()),
                "use eq, neq, gt, gte, lt, lte, in or is on " + column.type() + " columns");
    }

    /** PostgREST's list syntax: {@code (a,b,"c,d")}, double quotes around values holding commas or parentheses. */
    static List<String> list(Filter filter) {
        var text = filter.value();
        if (text.length() < 2 || text.charAt(0) != '(' || text.charAt(text.length() - 1) != ')') {
            throw new InvalidQueryException("invalid_filter", filter.column(),
                    filter.parameter() + ": in takes a list in parentheses",
                    details("parameter", filter.column(), "value", text),
                    "e.g. " + filter.column() + "=in.(a,b,\"c,d\")");
        }
        var values = new ArrayList<String>();
        var inner = text.substring(1, text.length() - 1);
        if (inner.isEmpty()) {
            return values;
        }
        var current = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        for (int i = 0; i < inner.length(); i++) {
            var c = inner.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < inner.length()) {
                    current.append(inner.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    current.append(c);
                }
            } else if (c == '"' && current.isEmpty() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                values.add(current.toString());
                current.setLength(0);
                wasQuoted = false;
            } else {
                current.append(c);
            }
        }
        if (quoted) {
            throw new InvalidQueryException("invalid_filter", filter.column(),
                    filter.parameter() + ": a double quote is not closed",
                    details("parameter", filter.column(), "value", text),
                    "e.g. " + filter.column() + "=in.(a,b,\"c,d\")");
        }
        values.add(current.toString());
        return values;
    }

    /** The text of a filter value as its column's Java type, or a 400 naming the parameter and the type expected. */
    private static <T> T value(Report.Column column, Field<T> field, Filter filter, String text) {
        var type = field.getType();
        Object value = null;
        try {
            if (type == String.class) {
                value = text;
            } else if (type == Long.class && WHOLE_NUMBER.matcher(text).matches()) {
                value = Long.parseLong(text);
            } else if (type == Integer.class && WHOLE_NUMBER.matcher(text).matches()) {
                value = Integer.parseInt(text);
            } else if (type == Short.class && WHOLE_NUMBER.matcher(text).matches()) {
                value = Short.parseShort(text);
            } else if (type == BigDecimal.class && DECIMAL.matcher(text).matches()) {
                value = new BigDecimal(text);
            } else if ((type == Double.class || type == Float.class) && DECIMAL.matcher(text).matches()) {
                value = field.getDataType().convert(Double.parseDouble(text));
            } else if (type == Boolean.class && (text.equals("true") || text.equals("false"))) {
                value = Boolean.parseBoolean(text);
            } else if (type == LocalDate.class) {
                value = LocalDate.parse(text);
            } else if (type == OffsetDateTime.class) {
                value = timestamp(text);
            } else if (type == LocalDateTime.class) {
                value = timestamp(text).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
            } else if (!isKnown(type)) {
                value = field.getDataType().convert(text);
            }
        } catch (NumberFormatException | DateTimeException | ArithmeticException | DataTypeException e) {
            value = null;
        }
        if (value == null) {
            throw new InvalidQueryException("invalid_value", filter.column(),
                    filter.parameter() + ": '" + text + "' is not a valid " + column.type(),
                    details("parameter", filter.column(), "value", text, "expected", column.type()),
                    example(column.field().getType()));
        }
        return type.cast(value);
    }

    private static boolean isKnown(Class<?> type) {
        return List.of(String.class, Long.class, Integer.class, Short.class, BigDecimal.class, Double.class, Float.class,
                Boolean.class, LocalDate.class, OffsetDateTime.class, LocalDateTime.class).contains(type);
    }

    /**
     * ISO 8601 as PostgREST users write it: {@code 2026-11-01T09:30:00Z}, {@code +01:00} or {@code +01} offsets,
     * a space instead of {@code T}, a bare date, or no offset (UTC). A {@code +} that arrived as a space (an
     * unencoded query string) is read as {@code +}.
     */
    static OffsetDateTime timestamp(String text) {
        var value = text.strip();
        if (value.length() > 10 && value.charAt(10) == ' ') {
            value = value.substring(0, 10) + 'T' + value.substring(11);
        }
        value = value.replace(' ', '+');
        if (value.length() == 10) {
            return LocalDate.parse(value).atStartOfDay().atOffset(ZoneOffset.UTC);
        }
        var parsed = TIMESTAMP.parse(value);
        var local = LocalDateTime.of(LocalDate.from(parsed), LocalTime.from(parsed));
        var offset = parsed.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS)) : ZoneOffset.UTC;
        return local.atOffset(offset);
    }

    private static String example(Class<?> type) {
        if (type == Long.class || type == Integer.class || type == Short.class) {
            return "a whole number, e.g. 42";
        }
        if (type == BigDecimal.class || type == Double.class || type == Float.class) {
            return "a number, e.g. 12.5";
        }
        if (type == LocalDate.class) {
            return "a date as YYYY-MM-DD, e.g. 2026-11-01";
        }
        if (type == OffsetDateTime.class || type == LocalDateTime.class) {
            return "a timestamp as YYYY-MM-DDTHH:MM:SS with an optional offset (UTC when none), e.g. 2026-11-01T09:30:00Z";
        }
        if (type == Boolean.class) {
            return "true or false";
        }
        return null;
    }
}
