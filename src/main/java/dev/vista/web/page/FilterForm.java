package dev.vista.web.page;

import dev.vista.report.Facet;
import dev.vista.report.Report;
import dev.vista.report.ReportQuery;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The report page's filter form, a plain GET form: per column an operator and a value (an input of the column's type,
 * or a {@code <select>} of its values where a facet found them all), one row per filter in the URL and one empty row per
 * column to add another; then the columns, order, page size, source and real-time reading. Its fields are numbered
 * ({@code c1}, {@code o1}, {@code v1}, ...) and go to {@link Links#filterForm}, which {@link #submitted} turns into the
 * report's canonical PostgREST URL. Built from the request's parameters as given, so that a page refused with 400
 * shows what was asked and puts the message next to the field it concerns.
 */
public record FilterForm(String action, boolean open, String error, List<Row> rows, Field select, Field order, Field limit,
                         Choice source, Toggle realtime) {

    /** A field that may carry a message: its id, and what the template writes for the message's sake. */
    public interface Checked {

        /** The id of the field's input. */
        String id();

        /** The message next to the field, or null. */
        String error();

        /** The id of the message, for {@code aria-describedby}; null without one. */
        default String errorId() {
            return error() == null ? null : "e-" + id();
        }

        /** {@code aria-invalid}: "true" with a message, else absent. */
        default String invalid() {
            return error() == null ? null : "true";
        }

        /** What the field's box adds to its class: " invalid" with a message. */
        default String state() {
            return error() == null ? "" : " invalid";
        }
    }

    /** One filter: column, operator and value; {@code error} the message for it, {@code known} false for a column the report lacks. */
    public record Row(int index, String column, String type, boolean known, List<Option> operators, Input input, String error) implements Checked {

        @Override
        public String id() {
            return "v" + index;
        }
    }

    /** The value's input: {@code type} is text, number, date or select (with {@code options}). */
    public record Input(String type, String value, String step, String placeholder, List<Option> options) {

        public boolean select() {
            return type.equals("select");
        }
    }

    public record Option(String value, String label, boolean selected) {
    }

    /** A text field of the query itself (select, order, limit), named like its parameter. */
    public record Field(String name, String value, String error) implements Checked {

        @Override
        public String id() {
            return name;
        }

        /** The page size is a number, unless it is refused: then the text as given stays in view. */
        public String type() {
            return name.equals("limit") && error == null ? "number" : "text";
        }
    }

    /** The source, offered when a report has several. */
    public record Choice(List<Option> options, String error) implements Checked {

        @Override
        public String id() {
            return "source";
        }
    }

    /** Real-time reading, offered where the report's stored rows can be read as of now. */
    public record Toggle(boolean checked, String error) implements Checked {

        @Override
        public String id() {
            return "realtime";
        }
    }

    /** A parameter refused with 400: its name and the message (the form shows it next to that parameter's field). */
    public record Problem(String parameter, String message) {
    }

    private static final Pattern FIELD = Pattern.compile("([cov])(\\d{1,4})");

    /**
     * @param params   the request's query parameters, decoded, in order
     * @param facets   the page's facets: a complete one gives its column a select of values
     * @param realtime whether the report's own rows can be read as of now (then a checkbox asks for it)
     */
    public static FilterForm of(Report report, Map<String, List<String>> params, List<Facet> facets, boolean realtime,
                                Optional<Problem> problem) {
        var rows = new ArrayList<Row>();
        var index = 0;
        for (var column : report.columns()) {
            var values = complete(facets, column.name());
            for (var raw : params.getOrDefault(column.name(), List.of())) {
                var parts = split(raw);
                rows.add(row(++index, column, parts[0], parts[1], values, message(problem, column.name())));
            }
            rows.add(row(++index, column, defaultOperator(column), "", values, null));
        }
        for (var entry : params.entrySet()) {
            var name = entry.getKey();
            if (report.column(name).isEmpty() && !ReportQuery.RESERVED.contains(name) && !name.isEmpty()) {
                for (var raw : entry.getValue()) {
                    var parts = split(raw);
                    rows.add(new Row(++index, name, "unknown", false, operators(null, parts[0]), new Input("text", parts[1], null, null, List.of()),
                            message(problem, name)));
                }
            }
        }
        var select = field("select", params, problem);
        var order = field("order", params, problem);
        var limit = field("limit", params, problem);
        Choice source = null;
        if (report.sources().size() > 1 || params.containsKey("source")) {
            // the default source is the empty value, so that a form left as it is adds no source=... to the URL
            var fallback = report.defaultSource().name();
            var chosen = first(params, "source").filter(s -> !s.equals(fallback)).orElse("");
            var options = new ArrayList<Option>();
            report.sourceNames().forEach(s -> options.add(s.equals(fallback) ? new Option("", s + " (default)", chosen.isEmpty())
                    : new Option(s, s, s.equals(chosen))));
            if (!chosen.isEmpty() && !report.sourceNames().contains(chosen)) {
                options.add(new Option(chosen, chosen, true));
            }
            source = new Choice(options, message(problem, "source"));
        }
        Toggle toggle = null;
        if (realtime || params.containsKey("realtime")) {
            toggle = new Toggle(first(params, "realtime").filter(v -> v.isEmpty() || v.equals("true")).isPresent(), message(problem, "realtime"));
        }
        var form = new FilterForm(Links.filterForm(report.name()), problem.isPresent(), null, rows, select, order, limit, source, toggle);
        // a problem no field shows (offset, count, ...) is shown above the fields
        return problem.isEmpty() || form.hasErrors() ? form
                : new FilterForm(form.action(), true, problem.get().message(), rows, select, order, limit, source, toggle);
    }

    /** A message shown next to a field, and that field's id, for the error summary at the top of the form. */
    public record Message(String text, String field) {
    }

    /** Every message next to a field, in the form's order: the error summary at the top links to each. */
    public List<Message> messages() {
        var fields = new ArrayList<Checked>(rows);
        fields.addAll(List.of(select, order, limit));
        if (source != null) {
            fields.add(source);
        }
        if (realtime != null) {
            fields.add(realtime);
        }
        return fields.stream().filter(f -> f.error() != null).map(f -> new Message(f.error(), f.id())).toList();
    }

    /** Whether the form shows a message: then an error summary opens it. */
    public boolean hasErrors() {
        return error != null || !messages().isEmpty();
    }

    /**
     * The form as submitted, as the report's canonical query parameters: {@code column=operator.value} for each row with
     * a value (or an {@code is} operator, which needs none), in the form's order, then select, order, limit, source and
     * realtime as given. Paging starts again at the first row; nothing is checked here (the report page does that, and
     * answers 400 next to the field).
     */
    public static List<Map.Entry<String, String>> submitted(Map<String, List<String>> form) {
        var rows = new TreeMap<Integer, String[]>();
        for (var entry : form.entrySet()) {
            var matcher = FIELD.matcher(entry.getKey());
            if (matcher.matches() && !entry.getValue().isEmpty()) {
                var row = rows.computeIfAbsent(Integer.parseInt(matcher.group(2)), i -> new String[3]);
                row["cov".indexOf(matcher.group(1))] = entry.getValue().getFirst();
            }
        }
        var parameters = new ArrayList<Map.Entry<String, String>>();
        for (var row : rows.values()) {
            var column = Objects.requireNonNullElse(row[0], "").strip();
            var operator = Objects.requireNonNullElse(row[1], "eq").strip();
            var value = Objects.requireNonNullElse(row[2], "").strip();
            if (column.isEmpty()) {
                continue;
            }
            if (operator.equals("is") || operator.startsWith("is.") || operator.startsWith("not.is.")) {
                parameters.add(Map.entry(column, operator));
            } else if (!value.isEmpty()) {
                var list = operator.equals("in") || operator.equals("not.in");
                parameters.add(Map.entry(column, operator + "." + (list && !value.startsWith("(") ? list(value) : value)));
            }
        }
        for (var name : List.of("select", "order", "limit", "source")) {
            first(form, name).map(String::strip).filter(v -> !v.isEmpty()).ifPresent(v -> parameters.add(Map.entry(name, v)));
        }
        first(form, "realtime").filter(v -> v.equals("true") || v.equals("on")).ifPresent(v -> parameters.add(Map.entry("realtime", "true")));
        return parameters;
    }

    /** "index, settings" as PostgREST's list "(index,settings)", quoting values that hold a comma, parenthesis or quote. */
    static String list(String text) {
        var items = new ArrayList<String>();
        for (var item : text.split(",")) {
            var value = item.strip();
            items.add(value.matches(".*[,()\"\\\\].*") ? "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : value);
        }
        return "(" + String.join(",", items) + ")";
    }

    /** A filter's text as operator and value: "not.in.(a,b)" is {not.in, (a,b)}; "is.null" is {is.null, ""}. */
    static String[] split(String raw) {
        var negated = raw.startsWith("not.");
        var rest = negated ? raw.substring(4) : raw;
        var dot = rest.indexOf('.');
        if (dot < 0) {
            return new String[] {negated ? "not" : "", rest};
        }
        var operator = rest.substring(0, dot);
        var value = rest.substring(dot + 1);
        if (operator.equals("is")) {
            return new String[] {(negated ? "not." : "") + "is." + value, ""};
        }
        return new String[] {(negated ? "not." : "") + operator, value};
    }

    private static Row row(int index, Report.Column column, String operator, String value, List<String> values, String error) {
        var type = column.field().getType();
        var inputType = "text";
        String step = null;
        String placeholder = null;
        var options = List.<Option>of();
        var list = operator.endsWith("in");
        if (error != null || list) {
            placeholder = list ? "a, b, c" : null;
        } else if (type == Long.class || type == Integer.class || type == Short.class) {
            inputType = "number";
            step = "1";
        } else if (type == BigDecimal.class || type == Double.class || type == Float.class) {
            inputType = "number";
            step = "any";
        } else if (type == LocalDate.class) {
            inputType = "date";
        } else if (type == OffsetDateTime.class) {
            placeholder = "2026-11-01T09:30:00Z";
        } else if (type == LocalDateTime.class) {
            placeholder = "2026-11-01T09:30:00";
        } else if (type == Boolean.class) {
            inputType = "select";
            options = choices(List.of("true", "false"), value);
        } else if (type == String.class && !values.isEmpty() && !operator.contains("like")) {
            inputType = "select";
            options = choices(values, value);
        } else if (type == String.class) {
            placeholder = "text; * is a wildcard for like";
        }
        return new Row(index, column.name(), column.type(), true, operators(type, operator), new Input(inputType, value, step, placeholder, options), error);
    }

    private static List<Option> choices(List<String> values, String chosen) {
        var options = new ArrayList<Option>();
        options.add(new Option("", "(any)", chosen.isEmpty()));
        values.forEach(v -> options.add(new Option(v, v.isEmpty() ? "\"\" (empty)" : v, v.equals(chosen))));
        if (!chosen.isEmpty() && !values.contains(chosen)) {
            options.add(new Option(chosen, chosen, true));
        }
        return options;
    }

    private static final List<Option> COMPARISONS = List.of(
            new Option("eq", "equals", false), new Option("neq", "not equal to", false),
            new Option("gt", "greater than", false), new Option("gte", "at least", false),
            new Option("lt", "less than", false), new Option("lte", "at most", false),
            new Option("in", "in the list", false), new Option("not.in", "not in the list", false));
    private static final List<Option> TEXT = List.of(
            new Option("eq", "equals", false), new Option("neq", "not equal to", false),
            new Option("like", "like (* any text)", false), new Option("ilike", "like, any case", false),
            new Option("in", "in the list", false), new Option("not.in", "not in the list", false),
            new Option("gt", "after (A-Z)", false), new Option("lt", "before (A-Z)", false));
    private static final List<Option> BOOLEAN = List.of(new Option("eq", "is", false), new Option("neq", "is not", false));
    private static final List<Option> NULLS = List.of(new Option("is.null", "is null", false), new Option("is.not_null", "is not null", false));

    /** The operators for a column of {@code type} (null: unknown), {@code chosen} selected, and kept even when unusual. */
    private static List<Option> operators(Class<?> type, String chosen) {
        var base = new ArrayList<Option>(type == String.class ? TEXT : type == Boolean.class ? BOOLEAN : COMPARISONS);
        base.addAll(NULLS);
        if (base.stream().noneMatch(o -> o.value().equals(chosen))) {
            base.add(new Option(chosen, chosen.isEmpty() ? "(no operator)" : chosen, true));
        }
        return base.stream().map(o -> new Option(o.value(), o.label(), o.value().equals(chosen))).toList();
    }

    private static String defaultOperator(Report.Column column) {
        var type = column.field().getType();
        return type == LocalDate.class || type == OffsetDateTime.class || type == LocalDateTime.class ? "gte" : "eq";
    }

    /** The values of a column when its facet listed them all (NULL aside), in order. */
    private static List<String> complete(List<Facet> facets, String column) {
        return facets.stream().filter(f -> f.column().equals(column) && f.complete() && !f.timedOut()).findFirst()
                .map(f -> f.values().stream().map(Facet.Value::value).filter(Objects::nonNull).map(Object::toString)
                        .sorted(Comparator.naturalOrder()).toList())
                .orElse(List.of());
    }

    private static Field field(String name, Map<String, List<String>> params, Optional<Problem> problem) {
        return new Field(name, String.join(",", params.getOrDefault(name, List.of())), message(problem, name));
    }

    /** The problem's message when it concerns {@code parameter}, else null. */
    private static String message(Optional<Problem> problem, String parameter) {
        return problem.filter(p -> parameter.equals(p.parameter())).map(Problem::message).orElse(null);
    }

    private static Optional<String> first(Map<String, List<String>> params, String name) {
        return params.getOrDefault(name, List.of()).stream().findFirst();
    }
}
