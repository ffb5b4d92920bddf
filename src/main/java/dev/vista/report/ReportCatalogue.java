package dev.vista.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.Schema;
import org.jooq.Table;
import org.jooq.TableOptions.TableType;
import org.jooq.impl.SQLDataType;

/**
 * Every view and materialized view of the generated schema, as a report. Nothing here is kept by hand:
 * add a view file, rebuild, and the new class shows up in {@link Schema#getTables()} and so here.
 *
 * <p>A materialized view named {@code x_mv} next to a view {@code x} is also offered as x's
 * {@code materialized} source.
 */
public final class ReportCatalogue {

    public static final String MATERIALIZED_SUFFIX = "_mv";

    private final Map<String, Report> reports;

    private ReportCatalogue(Map<String, Report> reports) {
        this.reports = reports;
    }

    public static ReportCatalogue of(Schema schema) {
        var views = schema.getTables().stream()
                .filter(t -> t.getTableType() == TableType.VIEW || t.getTableType() == TableType.MATERIALIZED_VIEW)
                .sorted(Comparator.comparing(Table::getName))
                .toList();
        var names = views.stream().map(Table::getName).toList();
        var reports = new LinkedHashMap<String, Report>();
        for (var table : views) {
            var kind = table.getTableType() == TableType.VIEW ? Report.Kind.view : Report.Kind.materialized_view;
            var sources = new ArrayList<String>();
            sources.add(kind == Report.Kind.view ? "view" : "materialized");
            if (kind == Report.Kind.view && names.contains(table.getName() + MATERIALIZED_SUFFIX)) {
                sources.add("materialized");
            }
            var comment = table.getComment() == null ? "" : table.getComment();
            var parts = comment.split("\n\n", 2);
            var title = parts[0].isBlank() ? table.getName() : parts[0].strip();
            var description = parts.length > 1 ? parts[1].strip() : "";
            var columns = table.fieldStream().map(f -> new Report.Column(f.getName(), typeName(f), f)).toList();
            reports.put(table.getName(), new Report(table.getName(), title, description, kind, columns, List.copyOf(sources), table));
        }
        return new ReportCatalogue(reports);
    }

    public List<Report> all() {
        return List.copyOf(reports.values());
    }

    public Optional<Report> find(String name) {
        return Optional.ofNullable(reports.get(name));
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
