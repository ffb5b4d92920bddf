package dev.vista.report;

import dev.vista.migrate.Kind;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jooq.Field;
import org.jooq.Table;

/**
 * A report: one view, materialized view or incremental aggregate of the schema, described from its generated jOOQ
 * class and its file. Its title and description come from the view's COMMENT; {@code sources} says where its rows
 * can come from, the first being the default.
 */
public record Report(String name, String title, String description, Kind kind, List<Column> columns,
                     List<Source> sources, Table<?> table) {

    /** A column as users see it: its name and PostgreSQL type, and the generated field that reads it. */
    public record Column(String name, String type, Field<?> field) {
    }

    /**
     * Where rows can come from: {@code view}, {@code materialized} or {@code groupby}. {@code from} is aliased
     * to the report's name and has the report's column names, so one set of conditions fits every source.
     * {@code relation} names the view or materialized view read, empty for a hand-written query; {@code reads} names
     * the relations a role must be allowed to SELECT from to read this source (the relation, or a query's tables).
     */
    public record Source(String name, Table<?> from, Optional<String> relation, Set<String> reads) {

        public Source(String name, Table<?> from, Optional<String> relation) {
            this(name, from, relation, relation.map(Set::of).orElse(Set.of()));
        }

        /** Whether a role that may read the relations {@code readable} may read this source. */
        public boolean readableWith(Set<String> readable) {
            return readable.containsAll(reads);
        }
    }

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public Optional<Source> source(String name) {
        return sources.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Source defaultSource() {
        return sources.getFirst();
    }

    public List<String> sourceNames() {
        return sources.stream().map(Source::name).toList();
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    /** The materialized view behind this report's {@code materialized} source, if it has one. */
    public Optional<String> materializedView() {
        return source("materialized").flatMap(Source::relation);
    }

    /** A stable order: the report's key (the synthetic primary key of its view), or else all its columns. */
    public List<Field<?>> keyFields() {
        var key = table.getPrimaryKey();
        if (key != null) {
            return List.copyOf(key.getFields());
        }
        return columns.stream().<Field<?>>map(Column::field).toList();
    }
}
