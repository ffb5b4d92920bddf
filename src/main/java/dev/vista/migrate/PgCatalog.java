package dev.vista.migrate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jooq.DSLContext;

/**
 * The one reader of PostgreSQL's catalogue for Vista: the views and materialized views of the current schema (kind,
 * populated, whether REFRESH ... CONCURRENTLY can work) and which view reads which. A view's rewrite rule depends on
 * every relation its query reads ({@code pg_rewrite} + {@code pg_depend}, see
 * https://www.postgresql.org/docs/current/catalog-pg-depend.html); plain views in between are looked through, so a
 * materialized view reading a view that reads another materialized view depends on that one. Views of other schemas
 * that read ours are included (named {@code schema.name}): a migration must not drop them unawares.
 *
 * <p>Migrate (what to rebuild and drop, in which order), refresh (cascades, the order of a full refresh) and the
 * report catalogue read it through this class. Incremental aggregates are plain views over a table of their own;
 * the caller names them, since only their files say so, and nothing here says what their query reads.
 */
public final class PgCatalog {

    /**
     * {@code concurrentRefresh}: it has a unique index on plain columns, without WHERE, that REFRESH ... CONCURRENTLY
     * accepts. {@code version}: the xmin of its {@code pg_class} row, which every REFRESH MATERIALIZED VIEW writes anew
     * (so a materialized view's rows are the same while it is), as refresh_history's {@code relation_xmin} records it.
     */
    public record Relation(String name, Kind kind, boolean populated, boolean concurrentRefresh, long version) {
    }

    /** A view that reads (directly or not) from one of the views asked about; {@code depth} 0 is one of those views. */
    public record Dependant(String name, boolean materialized, int depth) {
    }

    /**
     * A role as a caller: whether it exists, is a superuser, whether the connection's user ({@code session_user}) is a
     * member (and so may {@code SET ROLE} to it), and the tables, views and materialized views of the current schema it
     * may {@code SELECT} from (none without {@code USAGE} on the schema).
     */
    public record RoleGrants(String role, boolean exists, boolean superuser, boolean member, Set<String> readable) {
    }

    private final Map<String, Relation> relations;
    private final Map<String, Set<String>> readsFrom;
    private final Set<String> materialized;
    private final Map<String, Integer> depth = new HashMap<>();

    private PgCatalog(Map<String, Relation> relations, Map<String, Set<String>> readsFrom, Set<String> materialized) {
        this.relations = relations;
        this.readsFrom = readsFrom;
        this.materialized = materialized;
    }

    /** Reads the catalogue now; {@code incremental} names the plain views that front incremental aggregates. */
    public static PgCatalog load(DSLContext dsl, Set<String> incremental) {
        var relations = new LinkedHashMap<String, Relation>();
        for (var r : dsl.resultQuery("""
                SELECT c.relname::text, c.relkind::text, c.relispopulated,
                       EXISTS (SELECT 1 FROM pg_index i
                               WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid
                                 AND i.indexprs IS NULL AND i.indpred IS NULL) AS concurrent_refresh,
                       c.xmin::text::bigint
                FROM pg_class c
                WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('v', 'm')
                ORDER BY c.relname
                """).fetch()) {
            var name = r.get(0, String.class);
            var kind = r.get(1, String.class).equals("m") ? Kind.MATERIALIZED_VIEW : incremental.contains(name) ? Kind.INCREMENTAL : Kind.VIEW;
            relations.put(name, new Relation(name, kind, r.get(2, Boolean.class), kind == Kind.MATERIALIZED_VIEW && r.get(3, Boolean.class),
                    r.get(4, Long.class)));
        }
        var readsFrom = new HashMap<String, Set<String>>();
        var materialized = new HashSet<String>();
        for (var r : dsl.resultQuery("""
                SELECT DISTINCT
                       CASE WHEN dependant.relnamespace = current_schema()::regnamespace THEN dependant.relname::text
                            ELSE dependant.relnamespace::regnamespace::text || '.' || dependant.relname END,
                       dependant.relkind = 'm',
                       CASE WHEN dependency.relnamespace = current_schema()::regnamespace THEN dependency.relname::text
                            ELSE dependency.relnamespace::regnamespace::text || '.' || dependency.relname END
                FROM pg_rewrite rule
                JOIN pg_class dependant ON dependant.oid = rule.ev_class
                JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rule.oid AND d.refclassid = 'pg_class'::regclass
                JOIN pg_class dependency ON dependency.oid = d.refobjid
                WHERE d.refobjid <> rule.ev_class
                  AND dependency.relkind IN ('v', 'm')
                  AND dependency.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
                """).fetch()) {
            readsFrom.computeIfAbsent(r.get(0, String.class), k -> new HashSet<>()).add(r.get(2, String.class));
            if (r.get(1, Boolean.class)) {
                materialized.add(r.get(0, String.class));
            }
        }
        relations.values().stream().filter(r -> r.kind() == Kind.MATERIALIZED_VIEW).forEach(r -> materialized.add(r.name()));
        return new PgCatalog(relations, readsFrom, materialized);
    }

    public Optional<Relation> find(String name) {
        return Optional.ofNullable(relations.get(name));
    }

    /** Every view and materialized view of the current schema, by name. */
    public List<Relation> relations() {
        return List.copyOf(relations.values());
    }

    /**
     * The given views and every view that reads from them, directly or through others, in any schema: deepest
     * first (the order to drop them in), then by name. A view's depth is the longest chain from one of the given ones.
     */
    public List<Dependant> dependants(Collection<String> names) {
        var depths = new HashMap<String, Integer>();
        names.stream().filter(relations::containsKey).forEach(name -> deepen(name, 0, depths, new HashSet<>()));
        return depths.entrySet().stream()
                .map(e -> new Dependant(e.getKey(), materialized.contains(e.getKey()), e.getValue()))
                .sorted(Comparator.comparingInt(Dependant::depth).reversed().thenComparing(Dependant::name))
                .toList();
    }

    private void deepen(String name, int depthHere, Map<String, Integer> depths, Set<String> path) {
        if (depths.getOrDefault(name, -1) >= depthHere || !path.add(name)) {
            return;
        }
        depths.put(name, depthHere);
        readers(name).forEach(reader -> deepen(reader, depthHere + 1, depths, path));
        path.remove(name);
    }

    /** Every materialized view and incremental aggregate, each after everything it reads from. */
    public List<Relation> refreshOrder() {
        return inRefreshOrder(relations.keySet());
    }

    /** The stored relations {@code name} reads from, directly or through views, dependencies first. */
    public List<Relation> upstream(String name) {
        return inRefreshOrder(reachable(name, this::dependencies));
    }

    /** The stored relations that read from {@code name}, directly or through views, in refresh order. */
    public List<Relation> downstream(String name) {
        return inRefreshOrder(reachable(name, this::readers));
    }

    private Set<String> dependencies(String name) {
        return readsFrom.getOrDefault(name, Set.of());
    }

    private Set<String> readers(String name) {
        var result = new HashSet<String>();
        readsFrom.forEach((reader, dependencies) -> {
            if (dependencies.contains(name)) {
                result.add(reader);
            }
        });
        return result;
    }

    private static Set<String> reachable(String from, Function<String, Set<String>> next) {
        var seen = new HashSet<String>();
        var pending = new ArrayList<>(next.apply(from));
        while (!pending.isEmpty()) {
            var name = pending.removeLast();
            if (!name.equals(from) && seen.add(name)) {
                pending.addAll(next.apply(name));
            }
        }
        return seen;
    }

    private List<Relation> inRefreshOrder(Set<String> names) {
        return names.stream().map(relations::get)
                .filter(r -> r != null && r.kind().stored())
                .sorted(Comparator.comparingInt((Relation r) -> chainBelow(r.name(), new HashSet<>())).thenComparing(Relation::name))
                .toList();
    }

    /** The length of the longest chain of reads below a relation: what reads nothing is 0. */
    private int chainBelow(String name, Set<String> path) {
        var known = depth.get(name);
        if (known != null) {
            return known;
        }
        if (!path.add(name)) {
            return 0; // PostgreSQL does not allow cycles between views; be safe anyway
        }
        var result = 0;
        for (var dependency : dependencies(name)) {
            result = Math.max(result, chainBelow(dependency, path) + 1);
        }
        path.remove(name);
        depth.put(name, result);
        return result;
    }

    /** What {@code role} may read, as the connection sees it: {@code has_table_privilege} on each relation, in one query. */
    public static RoleGrants roleGrants(DSLContext dsl, String role) {
        var r = dsl.resultQuery("""
                SELECT r.rolsuper, pg_has_role(session_user, r.oid, 'MEMBER'),
                       ARRAY(SELECT c.relname::text FROM pg_class c
                             WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                               AND has_schema_privilege(r.oid, c.relnamespace, 'USAGE')
                               AND has_table_privilege(r.oid, c.oid, 'SELECT')
                             ORDER BY 1)
                FROM pg_roles r WHERE r.rolname = ?
                """, role).fetchOne();
        if (r == null) {
            return new RoleGrants(role, false, false, false, Set.of());
        }
        return new RoleGrants(role, true, r.get(0, Boolean.class), r.get(1, Boolean.class), Set.of(r.get(2, String[].class)));
    }
}
