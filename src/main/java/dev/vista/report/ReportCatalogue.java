package dev.vista.report;

import dev.vista.migrate.Kind;
import dev.vista.migrate.ViewFile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jooq.Field;
import org.jooq.Schema;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.TableOptions.TableType;
import org.jooq.impl.QOM;
import org.jooq.impl.SQLDataType;

/**
 * Every view and materialized view of the generated schema, as a report. Nothing here is kept by hand:
 * add a view file, rebuild, and the new class shows up in {@link Schema#getTables()} and so here. The view
 * files say what jOOQ cannot see: which plain views front incremental aggregates.
 *
 * <p>A report's sources: {@code view} (or {@code materialized} for a materialized view) first, the default;
 * {@code materialized} when a materialized view {@code x_mv} stands next to a view {@code x}; {@code groupby}
 * when {@link GroupByQueries} has a hand-written query for it.
 */
public final class ReportCatalogue {

    public static final String MATERIALIZED_SUFFIX = "_mv";

    private final Map<String, Report> reports;

    private ReportCatalogue(Map<String, Report> reports) {
        this.reports = reports;
    }

    public static ReportCatalogue of(Schema schema, List<ViewFile> files) {
        return of(schema, files, GroupByQueries.all());
    }

    public static ReportCatalogue of(Schema schema, List<ViewFile> files, Map<String, Select<?>> groupByQueries) {
        var incremental = files.stream().filter(f -> f.kind() == Kind.INCREMENTAL).map(ViewFile::name).collect(Collectors.toSet());
        var views = schema.getTables().stream()
                .filter(t -> t.getTableType() == TableType.VIEW || t.getTableType() == TableType.MATERIALIZED_VIEW)
                .sorted(Comparator.comparing(Table::getName))
                .toList();
        var reports = new LinkedHashMap<String, Report>();
        for (var table : views) {
            var name = table.getName();
            var kind = table.getTableType() == TableType.MATERIALIZED_VIEW ? Kind.MATERIALIZED_VIEW
                    : incremental.contains(name) ? Kind.INCREMENTAL : Kind.VIEW;
            var columns = table.fieldStream().map(f -> new Report.Column(f.getName(), typeName(f), f)).toList();
            var sources = new ArrayList<Report.Source>();
            if (kind != Kind.MATERIALIZED_VIEW) {
                sources.add(new Report.Source("view", table, Optional.of(name)));
                views.stream().filter(t -> t.getName().equals(name + MATERIALIZED_SUFFIX)).findFirst().ifPresent(mv ->
                        sources.add(new Report.Source("materialized", sameColumns(name, columns, mv).as(table), Optional.of(mv.getName()))));
            } else {
                sources.add(new Report.Source("materialized", table, Optional.of(name)));
            }
            var groupBy = groupByQueries.get(name);
            if (groupBy != null) {
                sources.add(new Report.Source("groupby", sameColumns(name, columns, groupBy.asTable(name)), Optional.empty(), tablesRead(groupBy)));
            }
            var comment = table.getComment() == null ? "" : table.getComment();
            var parts = comment.split("\n\n", 2);
            var title = parts[0].isBlank() ? name : parts[0].strip();
            var description = parts.length > 1 ? parts[1].strip() : "";
            reports.put(name, new Report(name, title, description, kind, columns, List.copyOf(sources), table));
        }
        return new ReportCatalogue(reports);
    }

    /** A source must have the report's columns, in order: every filter and order is written against those names. */
    private static Table<?> sameColumns(String report, List<Report.Column> columns, Table<?> source) {
        var names = source.fieldStream().map(Field::getName).toList();
        var expected = columns.stream().map(Report.Column::name).toList();
        if (!names.equals(expected)) {
            throw new IllegalStateException("a source of report " + report + " has the columns " + names + ", not the report's " + expected);
        }
        return source;
    }

    /** The tables a hand-written query reads (its FROM clause, joins looked through), by name: what a role needs to run it. */
    static Set<String> tablesRead(Select<?> query) {
        var names = new TreeSet<String>();
        query.$from().forEach(table -> collect(table, names));
        return Set.copyOf(names);
    }

    private static void collect(Table<?> table, Set<String> names) {
        if (table instanceof QOM.JoinTable<?, ?> join) {
            collect(join.$table1(), names);
            collect(join.$table2(), names);
        } else {
            names.add(table.getName());
        }
    }

    /**
     * The reports a role may read, given the relations it may SELECT from: a report whose own view it may not read is
     * absent, and of the others only the sources it may read are offered.
     */
    public ReportCatalogue readableWith(Set<String> readable) {
        var visible = new LinkedHashMap<String, Report>();
        for (var report : reports.values()) {
            if (readable.contains(report.name())) {
                var sources = report.sources().stream().filter(s -> s.readableWith(readable)).toList();
                visible.put(report.name(), new Report(report.name(), report.title(), report.description(), report.kind(), report.columns(),
                        sources, report.table()));
            }
        }
        return new ReportCatalogue(visible);
    }

    public List<Report> all() {
        return List.copyOf(reports.values());
    }

    public Optional<Report> find(String name) {
        return Optional.ofNullable(reports.get(name));
    }

    /** The report, or {@link UnknownReportException}. */
    public Report get(String name) {
        return find(name).orElseThrow(() -> new UnknownReportException(name));
    }

    /** PostgreSQL's name for a column's type, as psql would show it. */
    static String typeName(Field<?> field) {
        var type = field.getDataType().getSQLDataType();
        if (type == null) {
            return field.getDataType().getTypeName();
        }
        if (type.equals(SQLDataType.CLOB) || type.equals(SQLDataType.VARCHAR)) {
            return "text";
        }
        if (type.equals(SQLDataType.TIMESTAMPWITHTIMEZONE) || type.equals(SQLDataType.OFFSETDATETIME)) {
            return "timestamptz";
        }
        if (type.equals(SQLDataType.DOUBLE)) {
            return "double precision";
        }
        return type.getTypeName();
    }
}
