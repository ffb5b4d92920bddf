package dev.vista.migrate;

import static org.jooq.impl.DSL.commentOnMaterializedView;
import static org.jooq.impl.DSL.commentOnView;
import static org.jooq.impl.DSL.createIndex;
import static org.jooq.impl.DSL.createUniqueIndex;
import static org.jooq.impl.DSL.grant;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.privilege;
import static org.jooq.impl.DSL.role;

import dev.vista.migrate.ViewFile.Kind;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.postgresql.util.PSQLException;

/**
 * Keeps the views and materialized views of the database in step with their files, inside the caller's
 * transaction: creates what is new in dependency order, rebuilds what changed together with every view that
 * depends on it (indexes, comments and grants included), drops what lost its file, and leaves the rest alone.
 *
 * <p>Which views Vista manages, and the hash of the definition each was built from, are kept in
 * {@code vista.managed_views}; views it does not manage are never dropped.
 */
final class ViewSync {

    /** What a sync does, or would do; {@link #isEmpty()} when the database already matches the files. */
    record Plan(List<String> create, List<String> replace, List<String> drop, List<String> repopulate,
                List<String> comment, List<String> drifted) {
        boolean isEmpty() {
            return create.isEmpty() && replace.isEmpty() && drop.isEmpty() && comment.isEmpty();
        }
    }

    private record Managed(String name, Kind kind, String hash, String pgDefinition, boolean exists,
                           String currentDefinition, String currentComment) {
        boolean drifted() {
            return exists && !Objects.equals(pgDefinition, currentDefinition);
        }
    }

    private record Dependant(String name, String kind, int depth) {
    }

    private record Grant(String privilege, String grantee, boolean grantable) {
    }

    private final Connection connection;
    private final DSLContext dsl;
    private final Map<String, ViewFile> files;

    ViewSync(Connection connection, List<ViewFile> files) {
        this.connection = connection;
        this.dsl = DSL.using(connection, SQLDialect.POSTGRES);
        this.files = files.stream().collect(Collectors.toMap(ViewFile::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    }

    static void createBookkeeping(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("""
                    CREATE SCHEMA IF NOT EXISTS vista;
                    CREATE TABLE IF NOT EXISTS vista.managed_views (
                        name            text PRIMARY KEY,
                        kind            text        NOT NULL,
                        file            text        NOT NULL,
                        definition_hash text        NOT NULL,
                        pg_definition   text        NOT NULL,
                        applied_at      timestamptz NOT NULL DEFAULT now()
                    );
                    COMMENT ON TABLE vista.managed_views IS 'Views and materialized views Vista created from db/views, and the definition each was built from.';
                    """);
        }
    }

    // ---------------------------------------------------------------- planning

    Plan plan() {
        var managed = managed();
        var order = creationOrder();
        var create = new ArrayList<String>();
        var replace = new LinkedHashSet<String>();
        var comment = new ArrayList<String>();
        var drifted = new ArrayList<String>();
        for (var name : order) {
            var file = files.get(name);
            var state = managed.get(name);
            if (state == null || !state.exists()) {
                if (state == null) {
                    refuseToAdopt(name);
                }
                create.add(name);
            } else if (!state.hash().equals(file.hash()) || state.kind() != file.kind()) {
                replace.add(name);
            } else if (state.drifted()) {
                drifted.add(name);
                replace.add(name);
            } else if (!file.comment().equals(state.currentComment())) {
                comment.add(name);
            }
        }
        var drop = managed.values().stream().filter(m -> m.exists() && !files.containsKey(m.name())).map(Managed::name).toList();

        // Everything that depends on a view being replaced or dropped has to be rebuilt as well.
        var roots = new ArrayList<String>(replace);
        roots.addAll(drop);
        for (var dependant : dependants(roots)) {
            if (replace.contains(dependant.name()) || drop.contains(dependant.name())) {
                continue;
            }
            if (!files.containsKey(dependant.name()) || !managed.containsKey(dependant.name())) {
                throw new MigrationException("view " + dependant.name() + " depends on "
                        + String.join(", ", roots) + " but Vista does not manage it (it has no file in db/views/); "
                        + "refusing to drop it. Add a file for it, or drop it by hand first.");
            }
            replace.add(dependant.name());
        }
        var replaceInOrder = order.stream().filter(replace::contains).toList();
        comment.removeAll(replace);
        var repopulate = new ArrayList<String>();
        for (var name : order) {
            var file = files.get(name);
            if (file.kind() == Kind.MATERIALIZED_VIEW && file.withData() && (create.contains(name) || replace.contains(name))) {
                repopulate.add(name);
            }
        }
        return new Plan(List.copyOf(create), replaceInOrder, drop, repopulate, List.copyOf(comment), drifted);
    }

    // ---------------------------------------------------------------- applying

    Plan apply() {
        var plan = plan();
        managed().values().stream().filter(m -> !m.exists() && !files.containsKey(m.name())).forEach(m -> forget(m.name()));
        if (plan.isEmpty()) {
            return plan;
        }
        var rebuilt = new LinkedHashSet<>(plan.replace());
        var grants = new HashMap<String, List<Grant>>();
        var extraIndexes = new HashMap<String, List<String>>();
        for (var name : rebuilt) {
            grants.put(name, grants(name));
            extraIndexes.put(name, extraIndexes(name, files.get(name)));
        }
        var toDrop = new ArrayList<String>(plan.replace());
        toDrop.addAll(plan.drop());
        var before = managed();
        dropInDependencyOrder(toDrop);
        toDrop.stream().filter(n -> before.containsKey(n) && before.get(n).kind() == Kind.INCREMENTAL).forEach(this::dropStorage);
        for (var name : plan.drop()) {
            forget(name);
        }
        for (var name : creationOrder()) {
            if (plan.create().contains(name) || rebuilt.contains(name)) {
                var file = files.get(name);
                create(file);
                extraIndexes.getOrDefault(name, List.of()).forEach(this::execute);
                grants.getOrDefault(name, List.of()).forEach(g -> restore(name, file.kind(), g));
                remember(file);
            }
        }
        for (var name : plan.comment()) {
            comment(files.get(name));
        }
        return plan;
    }

    /** Drops every managed view, dependants first: used when a table change is blocked by views built on it. */
    void dropAllManaged() {
        var existing = managed().values().stream().filter(Managed::exists).map(Managed::name).toList();
        for (var dependant : dependants(existing)) {
            if (!existing.contains(dependant.name())) {
                throw new MigrationException("view " + dependant.name() + " depends on views Vista manages but has no file in db/views/;"
                        + " refusing to drop it. Add a file for it, or drop it by hand first.");
            }
        }
        dropInDependencyOrder(existing);
    }

    private void create(ViewFile file) {
        if (file.kind() == Kind.INCREMENTAL) {
            createIncremental(file);
            return;
        }
        var head = "CREATE " + file.kind().sql() + " " + dsl.render(name(file.name())) + " AS\n";
        var tail = file.kind() == Kind.MATERIALIZED_VIEW ? (file.withData() ? "\nWITH DATA" : "\nWITH NO DATA") : "";
        // The SELECT is taken as written in db/views: it is part of the schema, not input. It runs through a
        // plain Statement so that operators like jsonb's ? are not mistaken for bind markers.
        try (var statement = connection.createStatement()) {
            statement.execute(head + file.query() + tail);
        } catch (SQLException e) {
            throw new MigrationException(describe(file, e, head.length()), e);
        }
        for (var index : file.indexes()) {
            var step = index.unique() ? createUniqueIndex(name(index.name(file.name()))) : createIndex(name(index.name(file.name())));
            execute(dsl.render(step.on(name(file.name()), index.columns().stream().map(DSL::name).toList())), file);
        }
        comment(file);
    }

    /**
     * An incremental aggregate: its rows live in a table Vista owns ({@code vista.<name>}, created empty and filled
     * by its first refresh), and a plain view of the same name in front of it is what reports, generated code and
     * other views see. Only the view takes part in dependency tracking.
     */
    private void createIncremental(ViewFile file) {
        var storage = name(ViewFile.INCREMENTAL_SCHEMA, file.name());
        dropStorage(file.name()); // kept when only its view was dropped, e.g. for a table change
        var head = "CREATE TABLE " + dsl.render(storage) + " AS\n";
        try (var statement = connection.createStatement()) {
            statement.execute(head + file.query() + "\nWITH NO DATA");
        } catch (SQLException e) {
            throw new MigrationException(describe(file, e, head.length()), e);
        }
        for (var index : file.indexes()) {
            var step = index.unique() ? createUniqueIndex(name(index.name(file.name()))) : createIndex(name(index.name(file.name())));
            execute(dsl.render(step.on(storage, index.columns().stream().map(DSL::name).toList())), file);
        }
        execute(DSL.commentOnTable(storage).is("Rows of the incremental aggregate " + file.name() + ", kept by Vista: read them through the view."));
        execute(DSL.createView(name(file.name())).as(DSL.select(DSL.asterisk()).from(DSL.table(storage))));
        comment(file);
    }

    private void dropStorage(String name) {
        execute(DSL.dropTableIfExists(name(ViewFile.INCREMENTAL_SCHEMA, name)));
    }

    private void comment(ViewFile file) {
        var step = file.kind() == Kind.MATERIALIZED_VIEW ? commentOnMaterializedView(name(file.name())) : commentOnView(name(file.name()));
        execute(step.is(file.comment()));
    }

    private void restore(String view, Kind kind, Grant g) {
        var to = grant(privilege(g.privilege())).on(name(view));
        var step = g.grantee().equals("PUBLIC") ? to.toPublic() : to.to(role(name(g.grantee())));
        execute(g.grantable() ? step.withGrantOption() : step);
    }

    private void dropInDependencyOrder(List<String> names) {
        for (var dependant : dependants(names)) {
            if (!names.contains(dependant.name())) {
                continue;
            }
            var drop = dependant.kind().equals("m") ? DSL.dropMaterializedView(name(dependant.name())) : DSL.dropView(name(dependant.name()));
            execute(drop);
        }
    }

    private void remember(ViewFile file) {
        dsl.query("""
                INSERT INTO vista.managed_views (name, kind, file, definition_hash, pg_definition, applied_at)
                VALUES (?, ?, ?, ?, pg_get_viewdef(to_regclass(quote_ident(?))), now())
                ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, file = excluded.file,
                    definition_hash = excluded.definition_hash, pg_definition = excluded.pg_definition, applied_at = now()
                """, file.name(), file.kind().name(), file.path(), file.hash(), file.name()).execute();
    }

    private void forget(String name) {
        dsl.query("DELETE FROM vista.managed_views WHERE name = ?", name).execute();
    }

    // ---------------------------------------------------------------- reading the catalogue

    private Map<String, Managed> managed() {
        var result = new LinkedHashMap<String, Managed>();
        for (var r : dsl.resultQuery("""
                SELECT m.name, m.kind, m.definition_hash, m.pg_definition, c.oid IS NOT NULL AS exists,
                       CASE WHEN c.oid IS NOT NULL THEN pg_get_viewdef(c.oid) END AS current_definition,
                       CASE WHEN c.oid IS NOT NULL THEN obj_description(c.oid, 'pg_class') END AS current_comment
                FROM vista.managed_views m
                LEFT JOIN pg_class c ON c.relname = m.name AND c.relkind IN ('v', 'm')
                                    AND c.relnamespace = current_schema()::regnamespace
                ORDER BY m.name
                """).fetch()) {
            var name = r.get(0, String.class);
            result.put(name, new Managed(name, Kind.valueOf(r.get(1, String.class)), r.get(2, String.class), r.get(3, String.class),
                    r.get(4, Boolean.class), r.get(5, String.class), r.get(6, String.class)));
        }
        return result;
    }

    private void refuseToAdopt(String name) {
        var kind = dsl.resultQuery("""
                SELECT c.relkind::text FROM pg_class c
                WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace
                """, name).fetchOne(0, String.class);
        if (kind != null) {
            throw new MigrationException("db/views/" + name + ".sql: a relation named " + name + " (relkind " + kind
                    + ") already exists and Vista did not create it; drop or rename it, or rename the file");
        }
    }

    /** The given views and everything that depends on them, dependants first (deepest first). */
    private List<Dependant> dependants(List<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        return dsl.resultQuery("""
                WITH RECURSIVE dependants(oid, depth) AS (
                    SELECT c.oid, 0
                    FROM pg_class c
                    WHERE c.relname = ANY(?) AND c.relkind IN ('v', 'm') AND c.relnamespace = current_schema()::regnamespace
                  UNION ALL
                    SELECT r.ev_class, d.depth + 1
                    FROM dependants d
                    JOIN pg_depend dep ON dep.refobjid = d.oid AND dep.refclassid = 'pg_class'::regclass
                                      AND dep.classid = 'pg_rewrite'::regclass
                    JOIN pg_rewrite r ON r.oid = dep.objid
                    WHERE r.ev_class <> d.oid AND d.depth < 64
                )
                SELECT CASE WHEN c.relnamespace = current_schema()::regnamespace THEN c.relname
                            ELSE c.relnamespace::regnamespace::text || '.' || c.relname END,
                       c.relkind::text, max(d.depth)
                FROM dependants d JOIN pg_class c ON c.oid = d.oid
                GROUP BY c.oid, c.relname, c.relnamespace, c.relkind
                ORDER BY max(d.depth) DESC, c.relname
                """, (Object) names.toArray(String[]::new)).fetch(r -> new Dependant(r.get(0, String.class), r.get(1, String.class), r.get(2, Integer.class)));
    }

    private List<Grant> grants(String view) {
        return dsl.resultQuery("""
                SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.is_grantable
                FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
                WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace AND a.grantee <> c.relowner
                ORDER BY 2, 1
                """, view).fetch(r -> new Grant(r.get(0, String.class), r.get(1, String.class), r.get(2, Boolean.class)));
    }

    /** Indexes someone added by hand to a materialized view: kept across a rebuild. */
    private List<String> extraIndexes(String view, ViewFile file) {
        var declared = file.indexes().stream().map(i -> i.name(view)).collect(Collectors.toSet());
        return dsl.resultQuery("""
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                WHERE c.relname = ? AND c.relkind = 'm' AND c.relnamespace = current_schema()::regnamespace
                ORDER BY 1
                """, view).fetch().stream()
                .filter(r -> !declared.contains(r.get(0, String.class)))
                .map(r -> r.get(1, String.class))
                .toList();
    }

    // ---------------------------------------------------------------- ordering

    /**
     * All files, each after the views its SQL mentions. Dependencies are read from the SQL itself, so
     * nothing is ordered by file name and nothing needs declaring by hand.
     */
    List<String> creationOrder() {
        var names = files.keySet();
        var dependencies = new HashMap<String, Set<String>>();
        files.values().forEach(f -> dependencies.put(f.name(), f.references(names)));
        var order = new ArrayList<String>();
        var ready = new TreeSet<String>(Comparator.naturalOrder());
        var waiting = new HashMap<String, Set<String>>();
        for (var name : names) {
            var deps = new TreeSet<>(dependencies.get(name));
            if (deps.isEmpty()) {
                ready.add(name);
            } else {
                waiting.put(name, deps);
            }
        }
        var queue = new ArrayDeque<String>();
        while (!ready.isEmpty() || !queue.isEmpty()) {
            if (queue.isEmpty()) {
                queue.add(ready.pollFirst());
            }
            var next = queue.poll();
            order.add(next);
            var unblocked = new TreeSet<String>();
            for (var entry : waiting.entrySet()) {
                if (entry.getValue().remove(next) && entry.getValue().isEmpty()) {
                    unblocked.add(entry.getKey());
                }
            }
            unblocked.forEach(waiting::remove);
            ready.addAll(unblocked);
        }
        if (!waiting.isEmpty()) {
            throw new MigrationException("views depend on each other in a cycle: " + new TreeSet<>(waiting.keySet()));
        }
        return order;
    }

    // ---------------------------------------------------------------- helpers

    private void execute(Query query) {
        dsl.execute(query);
    }

    private void execute(String sql) {
        execute(sql, null);
    }

    private void execute(String sql, ViewFile file) {
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new MigrationException((file == null ? "" : file.path() + ": ") + e.getMessage(), e);
        }
    }

    /** "db/views/x.sql:3:14: view x: column "foo" does not exist", positions counted in the file. */
    private static String describe(ViewFile file, SQLException e, int prefixLength) {
        var message = e.getMessage();
        var location = file.path();
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            var server = p.getServerErrorMessage();
            message = server.getMessage();
            if (server.getPosition() > prefixLength) {
                var offset = server.getPosition() - 1 - prefixLength;
                location += position(file, offset);
            }
            if (server.getDetail() != null) {
                message += " (" + server.getDetail() + ")";
            }
            if (server.getHint() != null) {
                message += "; hint: " + server.getHint();
            }
        }
        return location + ": " + file.kind().sql().toLowerCase() + " " + file.name() + ": " + message;
    }

    private static String position(ViewFile file, int offsetInQuery) {
        var source = file.source();
        var start = source.indexOf(file.query());
        if (start < 0 || offsetInQuery > file.query().length()) {
            return "";
        }
        var absolute = start + offsetInQuery;
        var line = 1;
        var lineStart = 0;
        for (int i = 0; i < absolute; i++) {
            if (source.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return ":" + line + ":" + (absolute - lineStart + 1);
    }
}
