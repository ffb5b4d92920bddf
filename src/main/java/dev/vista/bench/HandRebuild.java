package dev.vista.bench;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The reference for a migration that changes views: what someone would type into psql instead, the views dropped
 * top down, created bottom up from the same files, and the materialized views' indexes created again as they were,
 * in one transaction.
 */
record HandRebuild(List<String> dropTopDown, List<String> createBottomUp, List<String> indexes) {

    /** The {@code CREATE INDEX} statements of a relation's indexes now, as {@code pg_indexes} gives them. */
    static List<String> indexesOf(DataSource dataSource, String relation) throws SQLException {
        return Jdbc.strings(dataSource, "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '"
                + relation.replace("'", "''") + "' ORDER BY indexname");
    }

    void run(DataSource dataSource) throws SQLException {
        var statements = new ArrayList<>(dropTopDown);
        statements.addAll(createBottomUp);
        statements.addAll(indexes);
        Jdbc.inOneTransaction(dataSource, statements);
    }
}
