package dev.vista.report;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a client asks of a report, in PostgREST's query syntax, checked for syntax only: filters
 * ({@code col=op.value}), {@code order}, {@code select}, {@code limit}, {@code offset}, {@code source},
 * {@code realtime} (stored rows as of now, see {@link Reports}) and {@code count=exact} (the number of matching rows,
 * counted: {@code Prefer: count=exact} as a parameter, so that a link can ask for it). Column names and values are
 * checked against a report's columns by {@link ReportSelect}; {@link #parameters} writes the query back.
 *
 * <p>Every query parameter that is not one of {@link #RESERVED} (or an output option the caller names and reads
 * itself, like CSV's {@code bom}) is a filter on the column it names, as in PostgREST; nothing is silently
 * ignored, so a typo such as {@code limt=5} is an error, not 100 rows.
 */
public record ReportQuery(List<Filter> filters, List<Order> order, Optional<List<String>> select,
                          OptionalLong limit, long offset, Optional<String> source, boolean realtime, boolean exactCount) {

    public static final Set<String> RESERVED = Set.of("select", "order", "limit", "offset", "source", "realtime", "count");

    /** PostgREST parameters Vista does not implement: named in the error rather than taken for unknown columns. */
    static final Set<String> UNSUPPORTED = Set.of("or", "and", "not.or", "not.and");

    public ReportQuery {
        filters = List.copyOf(filters);
        order = List.copyOf(order);
        select = select.map(List::copyOf);
    }

    /** The filter operators of PostgREST that Vista supports. */
    public enum Operator {
        eq, neq, gt, gte, lt, lte, like, ilike, in, is
    }

    /** {@code column=[not.]operator.value}, e.g. {@code section=in.(index,settings)}; the value is still text. */
    public record Filter(String column, boolean negated, Operator operator, String value) {

        /** The filter as it was written in the query string, for error messages. */
        public String parameter() {
            return column + "=" + (negated ? "not." : "") + operator + "." + value;
        }
    }

    public enum Nulls {
        first, last, unspecified
    }

    /** One item of {@code order=column[.asc|.desc][.nullsfirst|.nullslast]}. */
    public record Order(String column, boolean descending, Nulls nulls) {

        /** The item as {@code order=} writes it. */
        public String parameter() {
            return column + (descending ? ".desc" : "") + switch (nulls) {
                case first -> ".nullsfirst";
                case last -> ".nullslast";
                case unspecified -> "";
            };
        }
    }

    /** Everything: no filter, the report's key order, all columns, no limit, the default source. */
    public static ReportQuery all() {
        return new ReportQuery(List.of(), List.of(), Optional.empty(), OptionalLong.empty(), 0, Optional.empty(), false, false);
    }

    /** Parses a query string such as {@code section=eq.dashboard&order=visits.desc&limit=10}. */
    public static ReportQuery parse(String queryString) {
        var params = new LinkedHashMap<String, List<String>>();
        for (var pair : queryString.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            var eq = pair.indexOf('=');
            var key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            var value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return parse(params);
    }

    /** Parses decoded query parameters, each name with its values in the order given. */
    public static ReportQuery parse(Map<String, List<String>> params) {
        return parse(params, Set.of());
    }

    /**
     * Parses decoded query parameters, leaving out {@code outputOptions}: parameters of the response's format that
     * the caller reads itself (and that are therefore no filters), e.g. CSV's {@code raw} and {@code bom}.
     */
    public static ReportQuery parse(Map<String, List<String>> params, Set<String> outputOptions) {
        var filters = new ArrayList<Filter>();
        for (var entry : params.entrySet()) {
            // "a=1&&b=2" has an empty parameter that names nothing: skipped, as every web framework does
            var stray = entry.getKey().isEmpty() && entry.getValue().stream().allMatch(String::isEmpty);
            if (UNSUPPORTED.contains(entry.getKey())) {
                throw new InvalidQueryException("unsupported_parameter", entry.getKey(),
                        entry.getKey() + "=... (PostgREST's logical groups) is not supported",
                        InvalidQueryException.details("parameter", entry.getKey()),
                        "filters on different parameters are ANDed; for OR on one column use in.(a,b)");
            }
            if (!RESERVED.contains(entry.getKey()) && !outputOptions.contains(entry.getKey()) && !stray) {
                for (var value : entry.getValue()) {
                    filters.add(filter(entry.getKey(), value));
                }
            }
        }
        var order = single(params, "order").map(ReportQuery::order).orElse(List.of());
        var select = single(params, "select").map(ReportQuery::select);
        var limit = single(params, "limit").map(v -> number("limit", v));
        var offset = single(params, "offset").map(v -> number("offset", v)).orElse(0L);
        var source = single(params, "source");
        var realtime = Flag.parse("realtime", params.get("realtime"));
        var exactCount = single(params, "count").map(ReportQuery::count).orElse(false);
        return new ReportQuery(filters, order, select, limit.map(OptionalLong::of).orElse(OptionalLong.empty()), offset, source,
                realtime, exactCount);
    }

    public ReportQuery withFilter(String column, String operatorAndValue) {
        var more = new ArrayList<>(filters);
        more.add(filter(column, operatorAndValue));
        return withFilters(more);
    }

    /** The same query with these filters instead of its own. */
    public ReportQuery withFilters(List<Filter> filters) {
        return new ReportQuery(filters, order, select, limit, offset, source, realtime, exactCount);
    }

    /** The same query without the filters on {@code column}. */
    public ReportQuery withoutFiltersOn(String column) {
        return withFilters(filters.stream().filter(f -> !f.column().equals(column)).toList());
    }

    public ReportQuery withOrder(String order) {
        return withOrder(order(order));
    }

    public ReportQuery withOrder(List<Order> order) {
        return new ReportQuery(filters, order, select, limit, offset, source, realtime, exactCount);
    }

    public ReportQuery withSelect(String select) {
        return new ReportQuery(filters, order, Optional.of(select(select)), limit, offset, source, realtime, exactCount);
    }

    public ReportQuery withLimit(long limit) {
        return new ReportQuery(filters, order, select, OptionalLong.of(limit), offset, source, realtime, exactCount);
    }

    public ReportQuery withOffset(long offset) {
        return new ReportQuery(filters, order, select, limit, offset, source, realtime, exactCount);
    }

    public ReportQuery withSource(String source) {
        return new ReportQuery(filters, order, select, limit, offset, Optional.of(source), realtime, exactCount);
    }

    /** Stored rows as of now: see {@link Reports#prepare}. */
    public ReportQuery withRealtime(boolean realtime) {
        return new ReportQuery(filters, order, select, limit, offset, source, realtime, exactCount);
    }

    /** {@code count=exact}: count the matching rows, however long it takes (within the statement timeout). */
    public ReportQuery withExactCount(boolean exactCount) {
        return new ReportQuery(filters, order, select, limit, offset, source, realtime, exactCount);
    }

    /**
     * The query as PostgREST parameters, names with their values in a fixed order (filters as given, then select,
     * order, limit, offset, source, realtime, count), each once except filters; {@link #parse} reads them back into
     * an equal query. A page's links are built from this, so they stay URLs the API answers.
     */
    public List<Map.Entry<String, String>> parameters() {
        var parameters = new ArrayList<Map.Entry<String, String>>();
        filters.forEach(f -> parameters.add(Map.entry(f.column(), (f.negated() ? "not." : "") + f.operator() + "." + f.value())));
        select.ifPresent(columns -> parameters.add(Map.entry("select", String.join(",", columns))));
        if (!order.isEmpty()) {
            parameters.add(Map.entry("order", String.join(",", order.stream().map(Order::parameter).toList())));
        }
        limit.ifPresent(l -> parameters.add(Map.entry("limit", Long.toString(l))));
        if (offset > 0) {
            parameters.add(Map.entry("offset", Long.toString(offset)));
        }
        source.ifPresent(s -> parameters.add(Map.entry("source", s)));
        if (realtime) {
            parameters.add(Map.entry("realtime", "true"));
        }
        if (exactCount) {
            parameters.add(Map.entry("count", "exact"));
        }
        return parameters;
    }

    /**
     * The limit an endpoint applies: {@code defaultLimit} when none was asked for, and an error above
     * {@code maximum} (an analyst asking for more should know they did not get it).
     */
    public ReportQuery withLimitAtMost(long defaultLimit, long maximum) {
        if (limit.isPresent() && limit.getAsLong() > maximum) {
            throw new InvalidQueryException("limit_too_large", "limit",
                    "limit=" + limit.getAsLong() + " is more than the maximum of " + maximum + " rows",
                    InvalidQueryException.details("parameter", "limit", "maximum", maximum),
                    "page through the report with limit and offset, or download it as CSV");
        }
        return limit.isPresent() ? this : withLimit(defaultLimit);
    }

    /** {@code count=exact}; PostgREST's other counts (planned, estimated) are {@code Prefer} values Vista does not take. */
    private static boolean count(String text) {
        if (text.equals("exact")) {
            return true;
        }
        throw new InvalidQueryException("invalid_parameter", "count", "count=" + text + ": the only count is exact",
                InvalidQueryException.details("parameter", "count", "value", text, "expected", "exact"),
                "write count=exact for the number of matching rows, or leave count out");
    }

    static Filter filter(String column, String text) {
        var rest = text;
        var negated = rest.startsWith("not.");
        if (negated) {
            rest = rest.substring(4);
        }
        var dot = rest.indexOf('.');
        var name = dot < 0 ? rest : rest.substring(0, dot);
        var operator = Arrays.stream(Operator.values()).filter(o -> o.name().equals(name)).findFirst();
        if (dot < 0 || operator.isEmpty()) {
            throw new InvalidQueryException("invalid_filter", column,
                    "filter " + column + "=" + text + " is not operator.value",
                    InvalidQueryException.details("parameter", column, "value", text),
                    "write column=operator.value with operator one of eq, neq, gt, gte, lt, lte, like, ilike, in, is;"
                            + " e.g. " + column + "=eq.42, optionally negated as " + column + "=not.eq.42");
        }
        return new Filter(column, negated, operator.get(), rest.substring(dot + 1));
    }

    static List<Order> order(String text) {
        var items = new ArrayList<Order>();
        for (var item : text.split(",", -1)) {
            var parts = item.strip().split("\\.", -1);
            var descending = false;
            var nulls = Nulls.unspecified;
            var direction = false;
            for (int i = 1; i < parts.length; i++) {
                switch (parts[i]) {
                    case "asc", "desc" -> {
                        if (direction || nulls != Nulls.unspecified) {
                            throw badOrder(text, item);
                        }
                        direction = true;
                        descending = parts[i].equals("desc");
                    }
                    case "nullsfirst", "nullslast" -> {
                        if (nulls != Nulls.unspecified) {
                            throw badOrder(text, item);
                        }
                        nulls = parts[i].equals("nullsfirst") ? Nulls.first : Nulls.last;
                    }
                    default -> throw badOrder(text, item);
                }
            }
            if (parts[0].isEmpty()) {
                throw badOrder(text, item);
            }
            items.add(new Order(parts[0], descending, nulls));
        }
        return items;
    }

    private static InvalidQueryException badOrder(String text, String item) {
        return new InvalidQueryException("invalid_order", "order", "order=" + text + ": cannot read '" + item + "'",
                InvalidQueryException.details("parameter", "order", "value", text),
                "write order=column[.asc|.desc][.nullsfirst|.nullslast], several separated by commas, e.g. order=visits.desc,user_id");
    }

    static List<String> select(String text) {
        var columns = new ArrayList<String>();
        for (var item : text.split(",", -1)) {
            var name = item.strip();
            if (name.isEmpty() || name.contains(":") || name.contains("(")) {
                throw new InvalidQueryException("invalid_select", "select", "select=" + text + ": cannot read '" + item + "'",
                        InvalidQueryException.details("parameter", "select", "value", text),
                        "write select=* or select=column,column; renaming, casts and embedding are not supported");
            }
            if (!columns.contains(name)) {
                columns.add(name);
            }
        }
        return columns;
    }

    private static long number(String parameter, String text) {
        try {
            var value = Long.parseLong(text.strip());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidQueryException("invalid_value", parameter, parameter + "=" + text + ": expected a whole number >= 0",
                InvalidQueryException.details("parameter", parameter, "value", text, "expected", "integer >= 0"), null);
    }

    private static Optional<String> single(Map<String, List<String>> params, String name) {
        var values = params.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw InvalidQueryException.repeated(name, values);
        }
        return values.stream().findFirst();
    }
}
