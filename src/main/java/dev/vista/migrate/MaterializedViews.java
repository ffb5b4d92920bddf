package dev.vista.migrate;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

// Refreshes every materialized view, each after the materialized views it reads from (used after seeding).
public final class MaterializedViews {

    private MaterializedViews() {
    }

    public static List<String> refreshAll(Connection connection) throws SQLException {
        var names = new ArrayList<String>();
        try (var statement = connection.createStatement();
             var rows = statement.executeQuery("""
                     WITH RECURSIVE chain(oid, depth) AS (
                         SELECT c.oid, 0 FROM pg_class c
                         WHERE c.relkind = 'm' AND c.relnamespace = current_schema()::regnamespace
                       UNION ALL
                         SELECT r.ev_class, chain.depth + 1
                         FROM chain
                         JOIN pg_depend d ON d.refobjid = chain.oid AND d.classid = 'pg_rewrite'::regclass
                         JOIN pg_rewrite r ON r.oid = d.objid
                         WHERE r.ev_class <> chain.oid AND chain.depth < 64
                     )
                     SELECT quote_ident(c.relname), max(chain.depth)
                     FROM chain JOIN pg_class c ON c.oid = chain.oid
                     WHERE c.relkind = 'm'
                     GROUP BY c.relname
                     ORDER BY 2, 1
                     """)) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        for (var name : names) {
            try (var statement = connection.createStatement()) {
                statement.execute("REFRESH MATERIALIZED VIEW " + name);
            }
        }
        return names;
    }
}
