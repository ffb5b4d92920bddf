package dev.vista.web.page;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vista.refresh.Freshness;
import dev.vista.report.Chart;
import dev.vista.report.Facet;
import dev.vista.report.Overview;
import dev.vista.report.Report;
import dev.vista.report.ReportQuery;
import dev.vista.report.ReportQuery.Filter;
import dev.vista.report.ReportQuery.Order;
import gg.jte.Content;
import gg.jte.TemplateOutput;
import gg.jte.html.escape.Escape;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /reports/{name}}: everything the report page shows, ready to place. Every link is built from the query
 * the page was asked with, so sorting, paging, facets and removing a filter each lead to another URL that the API
 * answers with the same rows.
 */
public record ReportView(Layout layout, Header header, Downloads downloads, Content form, List<ActiveFilter> active,
                         String clearFilters, Table table, Pagination pagination, Content facets, Content chart) {

    /** Title, description, kind, how fresh, and where the rows come from when not from the default source. */
    public record Header(String name, String title, String description, String kind, FreshnessLine freshness, String source) {
    }

    /** The same query elsewhere: CSV (all rows; with a byte order mark for Excel), JSON, the comparison, real time. */
    public record Downloads(String csv, String csvExcel, String json, String compare, String realtime, String realtimeLabel) {
    }

    /** A filter of the URL, in words, with the URL without it. */
    public record ActiveFilter(String label, String remove) {
    }

    public record Table(String caption, List<Heading> headings, Body body, String empty) {
    }

    /**
     * A column heading: a link that sorts by it (ascending, or descending when it sorts ascending now); {@code sorted}
     * is ascending, descending or null for aria-sort.
     */
    public record Heading(String name, String type, boolean numeric, String sortUrl, String sorted, String sortHint) {

        public String arrow() {
            return sorted == null ? "" : sorted.equals("ascending") ? "▲" : "▼";
        }

        /** Numbers are right-aligned, their heading too. */
        public String css() {
            return numeric ? "number" : null;
        }
    }

    /**
     * A value as the table shows it; {@code kind} (number, time, null, empty; none for text) is its CSS class. It
     * writes itself as a table cell: a page has hundreds, and JTE's escaping of each class name and of every digit of
     * a number was a fifth of the page's time (JFR). What Vista wrote itself (the class names, numbers and times
     * formatted from typed values, the null marker) goes out as it is; text from the database is escaped
     * by JTE, as every other value is.
     */
    /**
     * The table's rows as {@code <tr>}s of cells, written as {@link Cell}s write themselves but straight from the
     * rows' values: a 100-row page has hundreds of cells, and an object, a String and a list per cell and row were a
     * tenth of the page's time (JFR). Numbers and dates are written digit by digit; text from the database is escaped
     * as JTE escapes a tag's body ({@link Escape#htmlContent}).
     */
    public record Body(List<List<Object>> rows) implements Content {

        private static final byte[] ROW = "<tr>".getBytes(StandardCharsets.UTF_8);
        private static final byte[] ROW_END = "</tr>\n".getBytes(StandardCharsets.UTF_8);

        @Override
        public void writeTo(TemplateOutput output) {
            var html = new PageBuffer(rows.size() * 160 + 16);
            for (var row : rows) {
                html.writeBinaryContent(ROW);
                for (var value : row) {
                    cell(html, value);
                }
                html.writeBinaryContent(ROW_END);
            }
            output.writeBinaryContent(html.toByteArray());
        }

        @Override
        public boolean isEmptyContent() {
            return rows.isEmpty();
        }

        private static void cell(PageBuffer html, Object value) {
            switch (value) {
                case Long l -> number(html, l);
                case Integer i -> number(html, i);
                case Short h -> number(html, h);
                case LocalDate d -> {
                    html.writeBinaryContent(Cell.Look.TIME.opening);
                    html.writeDate(d);
                    html.writeBinaryContent(Cell.CLOSING);
                }
                case null, default -> {
                    var cell = Cell.of(value);
                    html.writeBinaryContent(cell.look().opening);
                    if (cell.look().escaped()) {
                        Escape.htmlContent(cell.text(), html);
                    } else {
                        html.writeContent(cell.text());
                    }
                    html.writeBinaryContent(Cell.CLOSING);
                }
            }
        }

        private static void number(PageBuffer html, long value) {
            html.writeBinaryContent(Cell.Look.NUMBER.opening);
            html.writeGrouped(value);
            html.writeBinaryContent(Cell.CLOSING);
        }
    }

    public record Cell(String text, Look look) implements Content {

        /**
         * How a cell reads: its CSS class, and its opening tag as the bytes the page is written in (a 100-row page
         * opens hundreds of cells; copied in, they cost nothing to encode).
         */
        public enum Look {
            TEXT(null), NULL("null"), EMPTY("empty"), NUMBER("number"), TIME("time");

            private final String css;
            private final byte[] opening;

            Look(String css) {
                this.css = css;
                this.opening = (css == null ? "<td>" : "<td class=\"" + css + "\">").getBytes(StandardCharsets.UTF_8);
            }

            /** The CSS class, or null for text. */
            public String css() {
                return css;
            }

            /** Whether the text is from the database as it is, and must be escaped. */
            boolean escaped() {
                return this == TEXT || this == EMPTY;
            }
        }

        private static final byte[] CLOSING = "</td>".getBytes(StandardCharsets.UTF_8);

        static Cell of(Object value) {
            return switch (value) {
                case null -> new Cell("null", Look.NULL);
                case String s when s.isEmpty() -> new Cell("\"\"", Look.EMPTY);
                case Number n -> new Cell(Formats.number(n), Look.NUMBER);
                case java.time.temporal.Temporal t -> new Cell(Formats.value(t), Look.TIME);
                default -> new Cell(Formats.value(value), Look.TEXT);
            };
        }

        @Override
        public void writeTo(TemplateOutput output) {
            output.writeBinaryContent(look.opening);
            if (look.escaped()) {
                output.writeUserContent(text);
            } else {
                output.writeContent(text); // digits and signs, a time, "null": nothing to escape
            }
            output.writeBinaryContent(CLOSING);
        }
    }

    /** Which rows these are, of how many (exact, or PostgreSQL's estimate with a link that counts), and the way on. */
    public record Pagination(String summary, boolean estimate, String countExactly, String previous, String next, List<PageSize> sizes) {
    }

    public record PageSize(String label, String url, boolean current) {
    }

    /** One facet: its values with counts, each a link to the rows holding it (again: to undo), or a note why there are none. */
    public record FacetView(String column, List<FacetItem> items, String note) {

        /** Shown at once: the most frequent values; the others are behind "more". */
        static final int SHOWN = 8;

        public List<FacetItem> top() {
            return items.subList(0, Math.min(SHOWN, items.size()));
        }

        public List<FacetItem> more() {
            return items.subList(Math.min(SHOWN, items.size()), items.size());
        }
    }

    /** A facet's value: a link to the rows holding it, or, when it is {@code selected}, back to all values. */
    public record FacetItem(String label, String kind, String count, String url, boolean selected) {

        public String hint() {
            return selected ? " (selected; show all values)" : "";
        }

        /** {@code aria-current} of the chosen value. */
        public String current() {
            return selected ? "true" : null;
        }
    }

    /**
     * The chart of the whole filtered result: its data as JSON for the script, the measures to choose from, what it
     * shows in words, and the same numbers as a table.
     */
    public record ChartView(boolean drawn, ScriptJson data, String label, List<FilterForm.Option> measures, String caption, String note,
                            List<String> headings, List<List<Cell>> rows) {
    }

    static final List<Long> PAGE_SIZES = List.of(25L, 100L, 500L, 1000L);

    /**
     * The filter form, the facets and the chart show what was added up over the whole filtered result, so they are
     * rendered once for the values they show ({@link Pages#part}): paging and sorting through a stored report, or the
     * same page asked again, renders only the rows.
     *
     * @param asked    the query as the URL gives it (no default limit), from which links are written
     * @param params   the URL's parameters, for the form
     * @param limit    the page size in effect (the API's default when none is asked)
     */
    public static ReportView of(Pages pages, Visitor visitor, Report report, ReportQuery asked, Map<String, List<String>> params, long limit,
                                Overview overview, Optional<Freshness.Summary> freshness) {
        var name = report.name();
        var realtime = freshness.filter(Freshness.Summary::realtime).isPresent();
        var header = new Header(name, report.title(), report.description(), CatalogueView.kind(report),
                freshness.map(f -> FreshnessLine.of(report, f)).orElse(null), source(report, asked));
        var layout = Layout.of(pages.assets(), visitor, report.title(), overview.chart().shape() != Chart.Shape.NONE && !overview.chart().timedOut(),
                new Layout.Crumb("Reports", Links.catalogue()), new Layout.Crumb(report.title(), null));
        // a stored report's facets and chart are the instances its refresh keeps (report.StoredAggregates): compared by identity
        var facetsKept = overview.read().keepsAggregates() && overview.facets().stream().noneMatch(Facet::timedOut);
        var chartKept = overview.read().keepsAggregates() && !overview.chart().timedOut();
        var shown = overview.facets().stream().map(Same::new).toList();
        var form = part(pages, facetsKept, "report/filters.jte", new FormOf(new Same<>(report), params, shown, realtime && report.kind().stored()),
                () -> FilterForm.of(report, params, overview.facets(), realtime && report.kind().stored(), Optional.empty()));
        var facets = part(pages, facetsKept, "report/facets.jte", new FacetsOf(name, asked.withOffset(0), shown, overview.bounds()),
                () -> overview.facets().stream().map(f -> facet(name, asked.withOffset(0), f, overview.bounds())).toList());
        var chart = part(pages, chartKept, "report/chart.jte", new ChartOf(new Same<>(overview.chart()), overview.bounds()),
                () -> chart(overview.chart(), overview.bounds()));
        return new ReportView(layout, header, downloads(report, asked, realtime), form, active(name, asked),
                asked.filters().isEmpty() ? null : Links.report(name, asked.withFilters(List.of()).withOffset(0)),
                table(report, asked, overview), pagination(name, asked, limit, overview), facets, chart);
    }

    /**
     * A part rendered once per {@code key} and kept ({@link Pages#part}) when {@code kept}, else rendered for this page;
     * {@code key} holds everything {@code model} is made from.
     */
    private static Content part(Pages pages, boolean kept, String template, Object key, Supplier<?> model) {
        return kept ? pages.part(template, key, model) : pages.part(template, model.get());
    }

    /** What each kept part is made from. */
    private record FormOf(Same<Report> report, Map<String, List<String>> params, List<Same<Facet>> facets, boolean realtime) {
    }

    private record FacetsOf(String name, ReportQuery asked, List<Same<Facet>> facets, Overview.Bounds bounds) {
    }

    private record ChartOf(Same<Chart> chart, Overview.Bounds bounds) {
    }

    /** A value that is the same only as itself: a kept aggregate, or the report as this catalogue has it (a changed view makes a new one). */
    private record Same<T>(T value) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Same<?> same && same.value == value;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(value);
        }
    }

    private static String source(Report report, ReportQuery asked) {
        var source = asked.source().orElse(report.defaultSource().name());
        var text = source.equals(report.defaultSource().name()) ? null : "rows from source " + source;
        if (asked.realtime()) {
            text = (text == null ? "" : text + ", ") + "read as of now (realtime=true)";
        }
        return text;
    }

    private static Downloads downloads(Report report, ReportQuery asked, boolean realtime) {
        var name = report.name();
        String realtimeUrl = null;
        String realtimeLabel = null;
        if (asked.realtime()) {
            realtimeUrl = Links.report(name, asked.withRealtime(false));
            realtimeLabel = "Stored rows";
        } else if (realtime) {
            var live = asked.withRealtime(true);
            if (!report.kind().stored() && asked.source().isEmpty()) {
                live = live.withSource("materialized");
            }
            realtimeUrl = Links.report(name, live);
            realtimeLabel = "As of now (realtime)";
        }
        return new Downloads(Links.csv(name, asked, false), Links.csv(name, asked, true), Links.api(name, asked),
                report.sources().size() > 1 ? Links.compare(name, asked) : null, realtimeUrl, realtimeLabel);
    }

    private static List<ActiveFilter> active(String name, ReportQuery asked) {
        var active = new ArrayList<ActiveFilter>();
        for (int i = 0; i < asked.filters().size(); i++) {
            var rest = new ArrayList<>(asked.filters());
            var filter = rest.remove(i);
            active.add(new ActiveFilter(words(filter), Links.report(name, asked.withFilters(rest).withOffset(0))));
        }
        return active;
    }

    /** "section equals index", "visit_date at least 2026-11-01", "email is null". */
    static String words(Filter filter) {
        var operator = switch (filter.operator()) {
            case eq -> "equals";
            case neq -> "not equal to";
            case gt -> "greater than";
            case gte -> "at least";
            case lt -> "less than";
            case lte -> "at most";
            case like -> "like";
            case ilike -> "like (any case)";
            case in -> "in";
            case is -> "is";
        };
        var value = filter.operator() == ReportQuery.Operator.is ? filter.value().replace('_', ' ') : filter.value();
        return filter.column() + (filter.negated() ? " not " : " ") + operator + " " + value;
    }

    private static Table table(Report report, ReportQuery asked, Overview overview) {
        var rows = overview.rows();
        var headings = new ArrayList<Heading>();
        var first = asked.order().stream().findFirst();
        for (var field : rows.fields()) {
            var column = report.column(field.getName()).orElseThrow();
            var ascending = first.filter(o -> o.column().equals(column.name())).map(o -> !o.descending());
            var descendingNext = ascending.orElse(false);
            var sortUrl = Links.report(report.name(), asked.withOrder(List.of(new Order(column.name(), descendingNext, ReportQuery.Nulls.unspecified)))
                    .withOffset(0));
            headings.add(new Heading(column.name(), column.type(), Number.class.isAssignableFrom(field.getType()), sortUrl,
                    ascending.map(a -> a ? "ascending" : "descending").orElse(null),
                    descendingNext ? "sort descending" : "sort ascending"));
        }
        var cells = new Body(rows.values());
        var offset = asked.offset();
        var caption = report.title() + (rows.isEmpty() ? "" : ", rows " + Formats.number(offset + 1) + "–" + Formats.number(offset + rows.size()));
        return new Table(caption, headings, cells, rows.isEmpty() ? (offset > 0 ? "No rows on this page: the result ends before row " + Formats.number(offset + 1) + "."
                : "No rows match these filters.") : null);
    }

    private static Pagination pagination(String name, ReportQuery asked, long limit, Overview overview) {
        var shown = overview.rows().size();
        var offset = asked.offset();
        var total = overview.total();
        var of = (total.exact() ? "" : "about ") + Formats.rows(total.value());
        var summary = shown == 0 ? of + " in all" : "Rows " + Formats.number(offset + 1) + "–" + Formats.number(offset + shown) + " of " + of;
        var previous = offset > 0 ? Links.report(name, asked.withOffset(Math.max(0, offset - limit))) : null;
        var more = total.exact() ? offset + shown < total.value() : shown == limit && limit > 0;
        var next = more ? Links.report(name, asked.withOffset(offset + limit)) : null;
        var sizes = PAGE_SIZES.stream().map(size -> new PageSize(Formats.number(size),
                Links.report(name, asked.withLimit(size).withOffset(offset - offset % size)), size == limit)).toList();
        return new Pagination(summary, !total.exact(), total.exact() ? null : Links.report(name, asked.withExactCount(true)), previous, next, sizes);
    }

    private static FacetView facet(String name, ReportQuery asked, Facet facet, Overview.Bounds bounds) {
        if (facet.timedOut()) {
            return new FacetView(facet.column(), List.of(), "skipped: counting its values took longer than " + Formats.span(bounds.facet()));
        }
        if (facet.distinct()) {
            return new FacetView(facet.column(), List.of(), "every value is different");
        }
        var mine = asked.filters().stream().filter(f -> f.column().equals(facet.column())).toList();
        var items = new ArrayList<FacetItem>();
        for (var value : facet.values()) {
            var filter = filterFor(value.value());
            var selected = mine.size() == 1 && !mine.getFirst().negated() && (mine.getFirst().operator() + "." + mine.getFirst().value()).equals(filter);
            var others = asked.withoutFiltersOn(facet.column()).withOffset(0);
            var cell = Cell.of(value.value());
            items.add(new FacetItem(cell.text(), cell.look().css(), Formats.number(value.count()),
                    Links.report(name, selected ? others : others.withFilter(facet.column(), filter)), selected));
        }
        var note = facet.values().isEmpty() ? "no rows" : facet.complete() ? null : "the " + Facet.VALUES + " most frequent values";
        return new FacetView(facet.column(), items, note);
    }

    /** The filter that selects a facet's value: {@code eq.<value>}, or {@code is.null} / {@code is.true} / {@code is.false}. */
    private static String filterFor(Object value) {
        return switch (value) {
            case null -> "is.null";
            case Boolean b -> "is." + b;
            default -> "eq." + Formats.plain(value);
        };
    }

    private static ChartView chart(Chart chart, Overview.Bounds bounds) {
        if (chart.shape() == Chart.Shape.NONE) {
            return new ChartView(false, null, null, List.of(), null, "No chart: this report has no date, timestamp or text column to group by.",
                    List.of(), List.of());
        }
        var per = chart.shape() == Chart.Shape.DAYS ? "per day of " + chart.groupBy() : "per " + chart.groupBy();
        if (chart.timedOut()) {
            return new ChartView(false, null, null, List.of(), null, "No chart: adding up the whole filtered result " + per
                    + " took longer than " + Formats.span(bounds.chart()) + ". Narrow the filters, or read a materialized source.", List.of(), List.of());
        }
        var measures = new ArrayList<FilterForm.Option>();
        var labels = new ArrayList<String>();
        for (int m = 0; m < chart.measures().size(); m++) {
            var measure = chart.measures().get(m);
            var label = measure.equals(Chart.ROWS) ? "rows " + per : "sum of " + measure + " " + per;
            measures.add(new FilterForm.Option(Integer.toString(m), label, m == 0));
            labels.add(label);
        }
        // {"shape": "days", "x": [epoch seconds of each day] or the bars' labels, "series": [{"label": ..., "values": [...]}]}
        var data = ScriptJson.of(json -> {
            json.writeStartObject();
            json.writeStringField("shape", chart.shape() == Chart.Shape.DAYS ? "days" : "bars");
            json.writeArrayFieldStart("x");
            for (var point : chart.points()) {
                if (point.x() instanceof LocalDate day) {
                    json.writeNumber(day.atStartOfDay(ZoneOffset.UTC).toEpochSecond());
                } else {
                    json.writeString(Formats.value(point.x()));
                }
            }
            json.writeEndArray();
            json.writeArrayFieldStart("series");
            for (int m = 0; m < labels.size(); m++) {
                json.writeStartObject();
                json.writeStringField("label", labels.get(m));
                json.writeArrayFieldStart("values");
                for (var point : chart.points()) {
                    number(json, point.values().get(m));
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
        var headings = new ArrayList<String>();
        headings.add(chart.groupBy() + (chart.shape() == Chart.Shape.DAYS ? " (day)" : ""));
        headings.addAll(chart.measures().stream().map(m -> m.equals(Chart.ROWS) ? "rows" : "sum of " + m).toList());
        var rows = chart.points().stream().map(p -> {
            var line = new ArrayList<Cell>();
            line.add(Cell.of(p.x()));
            p.values().forEach(v -> line.add(Cell.of(v)));
            return (List<Cell>) line;
        }).toList();
        var caption = "The whole filtered result " + per + (chart.shape() == Chart.Shape.DAYS ? " (" + Formats.number(chart.points().size()) + " days)" : "")
                + ", computed in PostgreSQL.";
        String note = null;
        if (chart.points().isEmpty()) {
            note = "No rows match these filters: nothing to chart.";
        } else if (chart.groups() > chart.points().size()) {
            note = "The " + chart.points().size() + " largest of " + Formats.number(chart.groups()) + " values are drawn; the table lists the same.";
        }
        return new ChartView(!chart.points().isEmpty(), data, measures.getFirst().label(), measures, caption, note, headings, rows);
    }

    private static void number(JsonGenerator json, Number value) throws IOException {
        switch (value) {
            case null -> json.writeNull();
            case BigDecimal d -> json.writeNumber(d);
            case Long l -> json.writeNumber(l);
            case Integer i -> json.writeNumber(i);
            default -> json.writeNumber(value.doubleValue());
        }
    }
}
