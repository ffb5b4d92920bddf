package dev.vista.refresh;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.DSLContext;

/**
 * The views and materialized views of the schema and which reads which, from PostgreSQL's own catalogue: a view's
 * rewrite rule depends on every relation its query reads ({@code pg_rewrite} + {@code pg_depend}, see
 * https://www.postgresql.org/docs/current/catalog-pg-depend.html). Plain views in between are looked through, so
 * a materialized view reading a view that reads another materialized view depends on that one.
 *
 * <p>Incremental aggregates are plain views over a table of their own; they are refreshable, but nothing in the
 * catalogue says what their query reads (their table was filled by Vista), so they have no upstream here.
 */
final class DependencyGraph {

    enum Kind {
        view, materialized_view, incremental
    }

    /** {@code concurrentRefresh}: it has a unique index on plain columns, without WHERE, that REFRESH ... CONCURRENTLY accepts. */
    record Relation(String name, Kind kind, boolean populated, boolean concurrentRefresh) {
        boolean refreshable() {
            return kind != Kind.view;
        }
    }

    private final Map<String, Relation> relations;
    private final Map<String, Set<String>> readsFrom;
    private final Map<String, Integer> depth = new HashMap<>();

    private DependencyGraph(Map<String, Relation> relations, Map<String, Set<String>> readsFrom) {
        this.relations = relations;
        this.readsFrom = readsFrom;
    }

    static DependencyGraph load(DSLContext dsl, Set<String> incremental) {
        var relations = new LinkedHashMap<String, Relation>();
        for (var r : dsl.resultQuery("""
                SELECT c.relname, c.relkind::text, c.relispopulated,
                       EXISTS (SELECT 1 FROM pg_index i
                               WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid
                                 AND i.indexprs IS NULL AND i.indpred IS NULL) AS concurrent_refresh
                FROM pg_class c
                WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('v', 'm')
                ORDER BY c.relname
                """).fetch()) {
            var name = r.get(0, String.class);
            var kind = r.get(1, String.class).equals("m") ? Kind.materialized_view : incremental.contains(name) ? Kind.incremental : Kind.view;
            relations.put(name, new Relation(name, kind, r.get(2, Boolean.class), kind == Kind.materialized_view && r.get(3, Boolean.class)));
        }
        var readsFrom = new HashMap<String, Set<String>>();
        for (var r : dsl.resultQuery("""
                SELECT DISTINCT dependant.relname, dependency.relname
                FROM pg_rewrite rule
                JOIN pg_class dependant ON dependant.oid = rule.ev_class
                JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rule.oid AND d.refclassid = 'pg_class'::regclass
                JOIN pg_class dependency ON dependency.oid = d.refobjid
                WHERE d.refobjid <> rule.ev_class
                  AND dependant.relnamespace = current_schema()::regnamespace
                  AND dependency.relnamespace = current_schema()::regnamespace
                  AND dependency.relkind IN ('v', 'm')
                """).fetch()) {
            readsFrom.computeIfAbsent(r.get(0, String.class), k -> new HashSet<>()).add(r.get(1, String.class));
        }
        return new DependencyGraph(relations, readsFrom);
    }

    Optional<Relation> find(String name) {
        return Optional.ofNullable(relations.get(name));
    }

    /** Every materialized view and incremental aggregate, each after everything it reads from. */
    List<Relation> refreshOrder() {
        return inOrder(relations.keySet());
    }

    /** The refreshable relations {@code name} reads from, directly or through views, dependencies first. */
    List<Relation> upstream(String name) {
        var seen = new HashSet<String>();
        collect(name, seen, this::dependencies);
        seen.remove(name);
        return inOrder(seen);
    }

    /** The refreshable relations that read from {@code name}, directly or through views, in refresh order. */
    List<Relation> downstream(String name) {
        var seen = new HashSet<String>();
        collect(name, seen, this::dependants);
        seen.remove(name);
        return inOrder(seen);
    }

    private Set<String> dependencies(String name) {
        return readsFrom.getOrDefault(name, Set.of());
    }

    private Set<String> dependants(String name) {
        var result = new HashSet<String>();
        readsFrom.forEach((dependant, dependencies) -> {
            if (dependencies.contains(name)) {
                result.add(dependant);
            }
        });
        return result;
    }

    private static void collect(String name, Set<String> seen, java.util.function.Function<String, Set<String>> next) {
        if (seen.add(name)) {
            next.apply(name).forEach(n -> collect(n, seen, next));
        }
    }

    private List<Relation> inOrder(Set<String> names) {
        var result = new ArrayList<Relation>();
        for (var name : names) {
            var relation = relations.get(name);
            if (relation != null && relation.refreshable()) {
                result.add(relation);
            }
        }
        result.sort(Comparator.comparingInt((Relation r) -> depth(r.name(), new HashSet<>())).thenComparing(Relation::name));
        return result;
    }

    /** The length of the longest chain of reads below a relation: what reads nothing is 0. */
    private int depth(String name, Set<String> path) {
        var known = depth.get(name);
        if (known != null) {
            return known;
        }
        if (!path.add(name)) {
            return 0; // PostgreSQL does not allow cycles between views; be safe anyway
        }
        var result = 0;
        for (var dependency : dependencies(name)) {
            result = Math.max(result, depth(dependency, path) + 1);
        }
        path.remove(name);
        depth.put(name, result);
        return result;
    }
}
