package dev.vista.migrate;

import static org.jooq.impl.DSL.alterIndex;
import static org.jooq.impl.DSL.alterMaterializedView;
import static org.jooq.impl.DSL.commentOnMaterializedView;
import static org.jooq.impl.DSL.commentOnView;
import static org.jooq.impl.DSL.createIndex;
import static org.jooq.impl.DSL.createUniqueIndex;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.grant;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.privilege;
import static org.jooq.impl.DSL.role;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.RenderKeywordCase;
import org.jooq.conf.Settings;
import org.jooq.conf.StatementType;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.postgresql.util.PSQLException;

/**
 * Keeps the views and materialized views of the database in step with their files, inside the caller's
 * transaction: creates what is new in dependency order, rebuilds what changed together with every view that
 * depends on it (indexes, comments and grants included), drops what lost its file, and leaves the rest alone.
 *
 * <p>Which views Vista manages, and the hash of the definition each was built from, are kept in
 * {@code vista.managed_views}; views it does not manage are never dropped.
 *
 * <p>A changed materialized view whose own sources stay as they are is built side by side: populated under a
 * temporary name, with its indexes, while readers keep using the old one; only the final swap (drop the old
 * one, rename the new one and its indexes) locks it, until the transaction commits.
 */
final class ViewSync {

    /** What a sync does, or would do; {@link #isEmpty()} when the database already matches the files. */
    record Plan(List<String> create, List<String> replace, List<String> sideBySide, List<String> drop,
                List<String> repopulate, List<String> comment, List<String> drifted) {
        boolean isEmpty() {
            return create.isEmpty() && replace.isEmpty() && drop.isEmpty() && comment.isEmpty();
        }
    }

    private record Managed(String name, Kind kind, String hash, String pgDefinition, List<String> declaredIndexes,
                           boolean exists, String currentDefinition, String currentComment, List<String> indexes, List<String> viewOptions) {
        /**
         * Edited by hand since Vista built it: its definition differs, a declared index is missing, or its view options
         * (security_invoker, security_barrier) are not those of its file.
         */
        boolean drifted(ViewFile file) {
            return exists && (!Objects.equals(pgDefinition, currentDefinition)
                    || file.indexes().stream().anyMatch(i -> !indexes.contains(i.name(name)))
                    || !viewOptions.equals(file.viewOptions()));
        }
    }

    private record Grant(String privilege, String grantee, boolean grantable) {
    }

    /** An index added by hand to a materialized view: {@code tail} is its definition after {@code ON table}. */
    private record HandIndex(String name, boolean unique, String tail) {
        String createOn(DSLContext dsl, String indexName, String table) {
            return "CREATE " + (unique ? "UNIQUE " : "") + "INDEX " + dsl.render(DSL.name(indexName)) + " ON " + dsl.render(DSL.name(table)) + tail;
        }
    }

    /** What a view carries besides its file and must survive a rebuild. */
    private record Preserved(List<Grant> grants, List<HandIndex> indexes) {
        static final Preserved NOTHING = new Preserved(List.of(), List.of());
    }

    /** A new version of a materialized view, built under a temporary name; its indexes: temporary name to final name. */
    private record BuiltBeside(String temporary, Map<String, String> indexes) {
    }

    private final Connection connection;
    private final DSLContext dsl;
    private final Map<String, ViewFile> files;
    private final Map<String, Preserved> preserved = new HashMap<>();
    private final Set<String> droppedForTableChange = new HashSet<>();

    ViewSync(Connection connection, List<ViewFile> files) {
        this.connection = connection;
        // Values inlined by jOOQ, as static statements: every statement is whole as text, so what a sync runs can be
        // recorded and handed to Liquibase to run or print (SyncViewsChange), keywords in capitals as in db/.
        this.dsl = DSL.using(connection, SQLDialect.POSTGRES, new Settings()
                .withStatementType(StatementType.STATIC_STATEMENT)
                .withRenderKeywordCase(RenderKeywordCase.UPPER));
        this.files = files.stream().collect(Collectors.toMap(ViewFile::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    }

    /** Creates {@code vista.managed_views}, or brings it up to date; a database that has it as it should be is not touched. */
    static void createBookkeeping(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            try (var rows = statement.executeQuery("""
                    SELECT EXISTS (SELECT FROM pg_attribute
                                   WHERE attrelid = to_regclass('vista.managed_views') AND attname = 'declared_indexes')
                    """)) {
                if (rows.next() && rows.getBoolean(1)) {
                    return;
                }
            }
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
                    -- the indexes Vista built from the file; any other index on a materialized view was added by hand
                    ALTER TABLE vista.managed_views ADD COLUMN IF NOT EXISTS declared_indexes text[] NOT NULL DEFAULT '{}';
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
                (droppedForTableChange.contains(name) ? replace : create).add(name);
            } else if (!state.hash().equals(file.hash()) || state.kind() != file.kind()) {
                replace.add(name);
            } else if (state.drifted(file)) {
                drifted.add(name);
                replace.add(name);
            } else if (!file.comment().equals(state.currentComment())) {
                comment.add(name);
            }
        }
        var drop = managed.values().stream()
                .filter(m -> (m.exists() || droppedForTableChange.contains(m.name())) && !files.containsKey(m.name()))
                .map(Managed::name).toList();

        // Everything that depends on a view being replaced or dropped has to be rebuilt as well.
        var roots = new ArrayList<String>(replace);
        roots.addAll(drop);
        var dependants = dependants(roots);
        for (var dependant : dependants) {
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
        var repopulate = order.stream().filter(name -> create.contains(name) || replace.contains(name))
                .filter(name -> files.get(name).kind() == Kind.MATERIALIZED_VIEW && files.get(name).withData())
                .toList();
        var sideBySide = sideBySide(replaceInOrder, create, managed, dependants);
        // the views left as they are are checked now; those this run builds, once built (apply)
        checkKeys(order.stream().filter(name -> !create.contains(name) && !replace.contains(name)).toList());
        return new Plan(List.copyOf(create), replaceInOrder, sideBySide, drop, repopulate, List.copyOf(comment), drifted);
    }

    /**
     * The replaced materialized views that can be built next to the old version: those whose sources all stay as
     * they are. One that is rebuilt because something it reads from changes has to wait for that, so it is built
     * in place.
     */
    private List<String> sideBySide(List<String> replace, List<String> create, Map<String, Managed> managed, List<PgCatalog.Dependant> dependants) {
        var downstream = dependants.stream().filter(d -> d.depth() > 0).map(PgCatalog.Dependant::name).collect(Collectors.toSet());
        return replace.stream()
                .filter(name -> files.get(name).kind() == Kind.MATERIALIZED_VIEW && managed.get(name).exists())
                .filter(name -> !downstream.contains(name))
                .filter(name -> files.get(name).references(files.keySet()).stream().noneMatch(r -> replace.contains(r) || create.contains(r)))
                .toList();
    }

    /**
     * A key must name columns the view has, as PostgreSQL built it: jOOQ's code generator would quietly leave a
     * missing one out of the synthetic primary key. Checked in the migration, so the build, the app at start-up
     * and {@code vista migrate} all refuse such a file.
     */
    private void checkKeys(List<String> names) {
        var keyed = names.stream().map(files::get).filter(file -> !file.key().isEmpty()).toList();
        if (keyed.isEmpty()) {
            return;
        }
        var columns = dsl.resultQuery("""
                SELECT c.relname::text, array_agg(a.attname::text ORDER BY a.attnum)
                FROM pg_class c
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relname = ANY(?) AND c.relkind IN ('v', 'm') AND c.relnamespace = current_schema()::regnamespace
                GROUP BY c.relname
                """, (Object) keyed.stream().map(ViewFile::name).toArray(String[]::new))
                .fetchMap(r -> r.get(0, String.class), r -> List.of(r.get(1, String[].class)));
        for (var file : keyed) {
            var have = columns.getOrDefault(file.name(), List.of());
            for (var column : file.key()) {
                if (!have.contains(column)) {
                    throw new MigrationException(file.path() + ": " + (file.kind() == Kind.VIEW ? "vista:key" : "vista:unique-index")
                            + " names column '" + column + "', which view " + file.name() + " does not have (its columns: "
                            + String.join(", ", have) + ")");
                }
            }
        }
    }

    // ---------------------------------------------------------------- applying

    Plan apply() {
        var plan = plan();
        var managed = managed();
        managed.values().stream()
                .filter(m -> !m.exists() && !files.containsKey(m.name()) && !droppedForTableChange.contains(m.name()))
                .forEach(m -> forget(m.name()));
        if (plan.isEmpty()) {
            return plan;
        }
        plan.replace().forEach(name -> preserved.computeIfAbsent(name, n -> preserve(managed.get(n))));

        // The slow part first, while the old versions still serve their readers.
        var beside = new HashMap<String, BuiltBeside>();
        plan.sideBySide().forEach(name -> beside.put(name, buildBeside(files.get(name), preserved.get(name), beside.size() + 1)));

        // From the first DROP on, readers of what is replaced wait for the commit: keep this part short.
        var dropped = Stream.concat(plan.replace().stream(), plan.drop().stream()).toList();
        dropInDependencyOrder(dropped);
        // an incremental aggregate's rows live in its own table, behind the view just dropped
        dropped.stream().filter(n -> managed.containsKey(n) && managed.get(n).kind() == Kind.INCREMENTAL).forEach(this::dropStorage);
        plan.drop().forEach(this::forget);
        for (var name : creationOrder()) {
            if (plan.create().contains(name) || plan.replace().contains(name)) {
                var file = files.get(name);
                var kept = preserved.getOrDefault(name, Preserved.NOTHING);
                if (beside.containsKey(name)) {
                    swapIn(file, beside.get(name));
                } else {
                    buildInPlace(file, kept);
                }
                kept.grants().forEach(g -> restore(name, g));
                remember(file);
            }
        }
        checkKeys(Stream.concat(plan.create().stream(), plan.replace().stream()).toList());
        for (var name : plan.comment()) {
            comment(files.get(name));
        }
        return plan;
    }

    /**
     * Drops every managed view, dependants first: used when a table change is blocked by views built on it. What
     * each carries besides its file (grants, indexes added by hand) is kept for the rebuild that follows.
     */
    void dropAllManaged() {
        var managed = managed();
        var existing = managed.values().stream().filter(Managed::exists).map(Managed::name).toList();
        for (var dependant : dependants(existing)) {
            if (!existing.contains(dependant.name())) {
                throw new MigrationException("view " + dependant.name() + " depends on views Vista manages but has no file in db/views/;"
                        + " refusing to drop it. Add a file for it, or drop it by hand first.");
            }
        }
        existing.forEach(name -> preserved.put(name, preserve(managed.get(name))));
        dropInDependencyOrder(existing);
        droppedForTableChange.addAll(existing);
    }

    private Preserved preserve(Managed view) {
        return new Preserved(grants(view.name()), handIndexes(view));
    }

    private void buildInPlace(ViewFile file, Preserved kept) {
        if (file.kind() == Kind.INCREMENTAL) {
            createIncremental(file);
            return;
        }
        create(file, file.name());
        file.indexes().forEach(index -> createDeclaredIndex(file, index, index.name(file.name()), file.name()));
        restoreHandIndexes(file, kept, file.name(), Function.identity());
        comment(file);
    }

    /** Creates (and for a materialized view, populates) the view under {@code relation}. */
    private void create(ViewFile file, String relation) {
        var options = file.viewOptions().stream().map(o -> o + " = true").collect(Collectors.joining(", "));
        var head = "CREATE " + file.kind().sql() + " " + dsl.render(name(relation)) + (options.isEmpty() ? "" : " WITH (" + options + ")") + " AS\n";
        var tail = file.kind() == Kind.MATERIALIZED_VIEW ? (file.withData() ? "\nWITH DATA" : "\nWITH NO DATA") : "";
        // The SELECT is taken as written in db/views: it is part of the schema, not input. It runs through a
        // plain Statement so that operators like jsonb's ? are not mistaken for bind markers.
        try (var statement = connection.createStatement()) {
            statement.execute(head + file.query() + tail);
        } catch (SQLException e) {
            throw new MigrationException(describe(file, e, head.length()), e);
        }
    }

    private void createDeclaredIndex(ViewFile file, ViewFile.Index index, String indexName, String relation) {
        var step = index.unique() ? createUniqueIndex(name(indexName)) : createIndex(name(indexName));
        execute(dsl.render(step.on(name(relation), index.columns().stream().map(DSL::name).toList())), file);
    }

    private void restoreHandIndexes(ViewFile file, Preserved kept, String relation, Function<String, String> indexName) {
        if (file.kind() != Kind.MATERIALIZED_VIEW) {
            return; // it was a materialized view and is now a plain view, which cannot have indexes
        }
        for (var index : kept.indexes()) {
            var sql = index.createOn(dsl, indexName.apply(index.name()), relation);
            try (var statement = connection.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new MigrationException(file.path() + ": materialized view " + file.name() + ": index " + index.name()
                        + " was added by hand (it is not declared in the file) and cannot be put back on the new version: "
                        + reason(e) + ". Declare it in the file with '-- vista:index', or drop it by hand first.", e);
            }
        }
    }

    /**
     * Populates the new version of a materialized view, and builds its indexes, under temporary names: {@code
     * vista_new_1_section_daily}, its indexes {@code vista_new_1_section_daily_1}, ... (at most 63 bytes, PostgreSQL's limit).
     */
    private BuiltBeside buildBeside(ViewFile file, Preserved kept, int number) {
        var temporary = "vista_new_" + number + "_" + file.name();
        temporary = temporary.substring(0, Math.min(temporary.length(), 55));
        create(file, temporary);
        var indexes = new LinkedHashMap<String, String>();
        for (var index : file.indexes()) {
            var indexName = temporary + "_" + (indexes.size() + 1);
            createDeclaredIndex(file, index, indexName, temporary);
            indexes.put(indexName, index.name(file.name()));
        }
        var handNames = new HashMap<String, String>();
        for (var index : kept.indexes()) {
            var indexName = temporary + "_" + (indexes.size() + 1);
            handNames.put(index.name(), indexName);
            indexes.put(indexName, index.name());
        }
        restoreHandIndexes(file, kept, temporary, handNames::get);
        return new BuiltBeside(temporary, indexes);
    }

    /** The old version is gone by now (dropped with its dependants): the new one takes its name. */
    private void swapIn(ViewFile file, BuiltBeside built) {
        execute(alterMaterializedView(name(built.temporary())).renameTo(name(file.name())));
        built.indexes().forEach((temporary, last) -> execute(alterIndex(name(temporary)).renameTo(name(last))));
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

    private void restore(String view, Grant g) {
        var to = grant(privilege(g.privilege())).on(name(view));
        var step = g.grantee().equals("PUBLIC") ? to.toPublic() : to.to(role(name(g.grantee())));
        execute(g.grantable() ? step.withGrantOption() : step);
    }

    private void dropInDependencyOrder(List<String> names) {
        for (var dependant : dependants(names)) {
            if (!names.contains(dependant.name())) {
                continue;
            }
            var drop = dependant.materialized() ? DSL.dropMaterializedView(name(dependant.name())) : DSL.dropView(name(dependant.name()));
            execute(drop);
        }
    }

    private void remember(ViewFile file) {
        var definition = function("pg_get_viewdef", String.class, function("to_regclass", Object.class, function("quote_ident", String.class, val(file.name()))));
        var indexes = file.indexes().stream().map(i -> i.name(file.name())).toArray(String[]::new);
        dsl.insertInto(Bookkeeping.MANAGED_VIEWS)
                .set(Bookkeeping.NAME, file.name())
                .set(Bookkeeping.KIND, file.kind().name())
                .set(Bookkeeping.FILE, file.path())
                .set(Bookkeeping.DEFINITION_HASH, file.hash())
                .set(Bookkeeping.PG_DEFINITION, definition)
                .set(Bookkeeping.DECLARED_INDEXES, indexes)
                .set(Bookkeeping.APPLIED_AT, currentOffsetDateTime())
                .onConflict(Bookkeeping.NAME).doUpdate()
                .set(Bookkeeping.KIND, excluded(Bookkeeping.KIND))
                .set(Bookkeeping.FILE, excluded(Bookkeeping.FILE))
                .set(Bookkeeping.DEFINITION_HASH, excluded(Bookkeeping.DEFINITION_HASH))
                .set(Bookkeeping.PG_DEFINITION, excluded(Bookkeeping.PG_DEFINITION))
                .set(Bookkeeping.DECLARED_INDEXES, excluded(Bookkeeping.DECLARED_INDEXES))
                .set(Bookkeeping.APPLIED_AT, excluded(Bookkeeping.APPLIED_AT))
                .execute();
    }

    private void forget(String name) {
        dsl.deleteFrom(Bookkeeping.MANAGED_VIEWS).where(Bookkeeping.NAME.eq(name)).execute();
    }

    /** {@code vista.managed_views}, which the generated classes do not cover: this code runs before they exist. */
    private static final class Bookkeeping {
        static final Table<Record> MANAGED_VIEWS = table(name("vista", "managed_views"));
        static final Field<String> NAME = field(name("name"), String.class);
        static final Field<String> KIND = field(name("kind"), String.class);
        static final Field<String> FILE = field(name("file"), String.class);
        static final Field<String> DEFINITION_HASH = field(name("definition_hash"), String.class);
        static final Field<String> PG_DEFINITION = field(name("pg_definition"), String.class);
        static final Field<String[]> DECLARED_INDEXES = field(name("declared_indexes"), String[].class);
        static final Field<OffsetDateTime> APPLIED_AT = field(name("applied_at"), OffsetDateTime.class);
    }

    // ---------------------------------------------------------------- reading the catalogue

    private Map<String, Managed> managed() {
        var result = new LinkedHashMap<String, Managed>();
        for (var r : dsl.resultQuery("""
                SELECT m.name, m.kind, m.definition_hash, m.pg_definition, m.declared_indexes, c.oid IS NOT NULL AS exists,
                       pg_get_viewdef(c.oid) AS current_definition,
                       obj_description(c.oid, 'pg_class') AS current_comment,
                       ARRAY(SELECT ic.relname::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                             -- an incremental aggregate's indexes are on its storage table, behind the view
                             WHERE i.indrelid = CASE WHEN m.kind = 'INCREMENTAL' THEN to_regclass('vista.' || quote_ident(m.name))
                                                     ELSE c.oid END
                             ORDER BY 1) AS indexes,
                       ARRAY(SELECT o.option_name::text FROM pg_options_to_table(c.reloptions) o
                             WHERE o.option_name IN ('security_barrier', 'security_invoker') AND o.option_value::boolean
                             ORDER BY 1) AS view_options
                FROM vista.managed_views m
                LEFT JOIN pg_class c ON c.relname = m.name AND c.relkind IN ('v', 'm')
                                    AND c.relnamespace = current_schema()::regnamespace
                ORDER BY m.name
                """).fetch()) {
            var name = r.get(0, String.class);
            result.put(name, new Managed(name, Kind.valueOf(r.get(1, String.class)), r.get(2, String.class), r.get(3, String.class),
                    List.of(r.get(4, String[].class)), r.get(5, Boolean.class), r.get(6, String.class), r.get(7, String.class),
                    List.of(r.get(8, String[].class)), List.of(r.get(9, String[].class))));
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
    private List<PgCatalog.Dependant> dependants(List<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        var incremental = files.values().stream().filter(f -> f.kind() == Kind.INCREMENTAL).map(ViewFile::name).collect(Collectors.toSet());
        return PgCatalog.load(dsl, incremental).dependants(names);
    }

    private List<Grant> grants(String view) {
        return dsl.resultQuery("""
                SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.is_grantable
                FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
                WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace AND a.grantee <> c.relowner
                ORDER BY 2, 1
                """, view).fetch(r -> new Grant(r.get(0, String.class), r.get(1, String.class), r.get(2, Boolean.class)));
    }

    /**
     * Indexes someone added by hand to a materialized view, kept across a rebuild. PostgreSQL's own rendering of
     * each ({@code pg_get_indexdef}) is split after {@code ON table}, so the rest can be put on another relation.
     */
    private List<HandIndex> handIndexes(Managed view) {
        var file = files.get(view.name());
        var declaredNow = file == null ? Set.<String>of() : file.indexes().stream().map(i -> i.name(view.name())).collect(Collectors.toSet());
        var result = new ArrayList<HandIndex>();
        for (var r : dsl.resultQuery("""
                SELECT ic.relname::text, i.indisunique, pg_get_indexdef(i.indexrelid),
                       format('CREATE %sINDEX %s ON %s', CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END,
                              quote_ident(ic.relname), quote_ident(n.nspname) || '.' || quote_ident(c.relname))
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relname = ? AND c.relkind = 'm' AND c.relnamespace = current_schema()::regnamespace
                ORDER BY 1
                """, view.name()).fetch()) {
            var name = r.get(0, String.class);
            var definition = r.get(2, String.class);
            var head = r.get(3, String.class);
            if (view.declaredIndexes().contains(name) || declaredNow.contains(name)) {
                continue;
            }
            if (!definition.startsWith(head)) {
                throw new MigrationException("materialized view " + view.name() + ": cannot read the definition of index " + name
                        + ", added by hand, to put it back after the rebuild: " + definition);
            }
            result.add(new HandIndex(name, r.get(1, Boolean.class), definition.substring(head.length())));
        }
        return result;
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
        try {
            dsl.execute(query);
        } catch (DataAccessException e) {
            var sql = dsl.render(query);
            throw new MigrationException("could not run '" + sql + "': " + (e.getCause() instanceof SQLException cause ? reason(cause) : e.getMessage()), e);
        }
    }

    private void execute(String sql, ViewFile file) {
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new MigrationException(file.path() + ": " + e.getMessage(), e);
        }
    }

    /** "db/views/x.sql:3:14: view x: column "foo" does not exist", positions counted in the file. */
    private static String describe(ViewFile file, SQLException e, int prefixLength) {
        var location = file.path();
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null && p.getServerErrorMessage().getPosition() > prefixLength) {
            location += position(file, p.getServerErrorMessage().getPosition() - 1 - prefixLength);
        }
        return location + ": " + file.kind().sql().toLowerCase() + " " + file.name() + ": " + reason(e);
    }

    /** PostgreSQL's message, with its detail and hint: "cannot drop view x because ... (function f() depends on view x)". */
    private static String reason(SQLException e) {
        if (!(e instanceof PSQLException p) || p.getServerErrorMessage() == null) {
            return e.getMessage();
        }
        var server = p.getServerErrorMessage();
        var message = server.getMessage();
        if (server.getDetail() != null) {
            message += " (" + server.getDetail() + ")";
        }
        if (server.getHint() != null) {
            message += "; hint: " + server.getHint();
        }
        return message;
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
