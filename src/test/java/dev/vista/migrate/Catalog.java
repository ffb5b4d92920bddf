package dev.vista.migrate;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;

import dev.vista.testing.TestDatabase;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jooq.DSLContext;

// What PostgreSQL's own catalogue says about a test database: the facts the view sync tests assert on.
final class Catalog {

    private final DSLContext dsl;
    private final List<String> roles = new ArrayList<>();

    Catalog(DataSource dataSource) {
        this.dsl = TestDatabase.dsl(dataSource);
    }

    /** Every view and materialized view in the public schema, by name, with its oid. */
    Map<String, Long> views() {
        var views = new LinkedHashMap<String, Long>();
        dsl.resultQuery("""
                SELECT relname::text, oid::bigint FROM pg_class
                WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm') ORDER BY relname
                """).forEach(r -> views.put(r.get(0, String.class), r.get(1, Long.class)));
        return views;
    }

    Long oid(String relation) {
        return dsl.resultQuery("SELECT to_regclass(?)::oid::bigint", relation).fetchOne(0, Long.class);
    }

    boolean exists(String relation) {
        return oid(relation) != null;
    }

    List<String> columns(String relation) {
        return dsl.resultQuery("""
                SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
                WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
                """, relation).fetch(0, String.class);
    }

    String definition(String view) {
        return dsl.resultQuery("SELECT pg_get_viewdef(?::regclass)", view).fetchOne(0, String.class);
    }

    /** Each index of the relation as PostgreSQL would create it again. */
    List<String> indexes(String relation) {
        return dsl.resultQuery("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ?::regclass ORDER BY 1", relation)
                .fetch(0, String.class);
    }

    /** "grantee: PRIVILEGE" for each privilege granted to someone other than the owner. */
    List<String> grants(String relation) {
        return dsl.resultQuery("""
                SELECT pg_get_userbyid(a.grantee) || ': ' || a.privilege_type
                FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
                WHERE c.oid = ?::regclass AND a.grantee <> c.relowner ORDER BY 1
                """, relation).fetch(0, String.class);
    }

    String comment(String relation) {
        return dsl.resultQuery("SELECT obj_description(?::regclass, 'pg_class')", relation).fetchOne(0, String.class);
    }

    long count(String relation) {
        return dsl.resultQuery("SELECT count(*) FROM " + dsl.render(org.jooq.impl.DSL.name(relation))).fetchOne(0, Long.class);
    }

    boolean populated(String materializedView) {
        return dsl.resultQuery("SELECT relispopulated FROM pg_class WHERE oid = ?::regclass", materializedView).fetchOne(0, Boolean.class);
    }

    List<String> changesets() {
        return dsl.resultQuery("SELECT id FROM databasechangelog ORDER BY orderexecuted").fetch(0, String.class);
    }

    /** The rows of Vista's own bookkeeping, one string per managed view. */
    List<String> managedViews() {
        return dsl.resultQuery("SELECT concat_ws(' | ', name, kind, definition_hash, applied_at) FROM vista.managed_views ORDER BY name")
                .fetch(0, String.class);
    }

    void execute(String sql) {
        dsl.execute(sql);
    }

    /** A user and {@code visits} visits of theirs yesterday (UTC), spread over three sections. */
    void addVisits(long userId, int visits) {
        dsl.insertInto(USERS, USERS.ID, USERS.USERNAME, USERS.EMAIL).values(userId, "user" + userId, "user" + userId + "@example.com")
                .onConflictDoNothing().execute();
        var sections = List.of("index", "dashboard", "settings");
        var yesterday = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).minusDays(1);
        var insert = dsl.insertInto(PAGE_VISITS, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS);
        for (int i = 0; i < visits; i++) {
            insert = insert.values(userId, sections.get(i % 3), yesterday.plusMinutes(i), 100 + i);
        }
        insert.execute();
    }

    /** A new role, dropped again by {@link #dropRoles()}: roles belong to the server, not to the test's database. */
    String createRole(String purpose) {
        var role = "vista_" + purpose + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 1_000_000;
        dsl.execute("CREATE ROLE " + role + " NOLOGIN");
        roles.add(role);
        return role;
    }

    void dropRoles() {
        for (var role : roles) {
            dsl.execute("DROP OWNED BY " + role);
            dsl.execute("DROP ROLE " + role);
        }
        roles.clear();
    }
}
