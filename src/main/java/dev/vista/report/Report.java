package dev.vista.report;

import java.util.List;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.Table;

/**
 * A report: one view or materialized view of the schema, described from its generated jOOQ class. Its
 * title and description come from the view's COMMENT; {@code sources} says where its rows can come from.
 */
public record Report(String name, String title, String description, Kind kind, List<Column> columns,
                     List<String> sources, Table<?> table) {

    public enum Kind {
        view, materialized_view
    }

    /** A column as users see it: its name and PostgreSQL type. */
    public record Column(String name, String type, Field<?> field) {
    }

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
