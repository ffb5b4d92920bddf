package dev.vista.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.access.TokenSigner;
import dev.vista.config.Config;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * A test database set up the way the README's walkthrough sets one up, PostgREST's authenticator pattern: Vista
 * connects as its own non-superuser role ({@link #vista}, which owns the schema it migrated and may SET ROLE to the
 * reader roles, inheriting none of their rights), and three reader roles decide what requests see:
 * <ul>
 *   <li>{@link #anon}: no token; may read the aggregated {@code visits_summary} (and its materialized source) and
 *       {@code section_daily}, not the visits themselves;</li>
 *   <li>{@link #analyst}: every report, and every visit through a policy that lets it see all rows;</li>
 *   <li>{@link #restricted}: {@code visit_log} only, which is security-invoker, over {@code page_visits} behind a
 *       row-level security policy by the token's {@code sub}: a user's own visits.</li>
 * </ul>
 * {@link #outsider} exists but Vista's user is not a member of it. Role names start with the database's name: roles
 * belong to the whole server, and other test classes must not collide with them. The data is {@link ReportFixture}'s.
 */
public final class AccessFixture implements AutoCloseable {

    public static final String SECRET = "a-test-secret-of-at-least-32-bytes-for-hs256";
    public static final String ADMIN_TOKEN = "admin-token-for-tests";

    /** The test's database as the server's superuser: to set it up and to count what is there. */
    public final HikariDataSource superuser;
    /** The same database as Vista's own role: the pool Vista is served over. */
    public final HikariDataSource vista;
    public final String anon;
    public final String analyst;
    public final String restricted;
    public final String outsider;
    private final String vistaRole;

    private AccessFixture(HikariDataSource superuser, HikariDataSource vista, String prefix) {
        this.superuser = superuser;
        this.vista = vista;
        this.vistaRole = prefix + "_vista";
        this.anon = prefix + "_anon";
        this.analyst = prefix + "_analyst";
        this.restricted = prefix + "_restricted";
        this.outsider = prefix + "_outsider";
    }

    public static AccessFixture create(String purpose) {
        var superuser = TestDatabase.fresh(purpose);
        var database = superuser.getPoolName();
        var dsl = TestDatabase.dsl(superuser);
        var fixture = new AccessFixture(superuser, null, database);
        dsl.execute("CREATE ROLE " + fixture.vistaRole + " LOGIN NOINHERIT PASSWORD 'vista'");
        for (var role : List.of(fixture.anon, fixture.analyst, fixture.restricted, fixture.outsider)) {
            dsl.execute("CREATE ROLE " + role + " NOLOGIN");
        }
        dsl.execute("GRANT " + fixture.anon + ", " + fixture.analyst + ", " + fixture.restricted + " TO " + fixture.vistaRole);
        dsl.execute("GRANT CREATE ON DATABASE " + database + " TO " + fixture.vistaRole);
        dsl.execute("GRANT CREATE ON SCHEMA public TO " + fixture.vistaRole);

        var hikari = new HikariConfig();
        hikari.setJdbcUrl(superuser.getJdbcUrl());
        hikari.setUsername(fixture.vistaRole);
        hikari.setPassword("vista");
        hikari.setMaximumPoolSize(6);
        hikari.setConnectionTimeout(3000);
        hikari.setPoolName(database + "_vista");
        hikari.addDataSourceProperty("options", "-c TimeZone=UTC");
        var vista = new HikariDataSource(hikari);
        new Migrator(vista, ChangelogSource.directory(TestDatabase.projectRoot())).migrate();
        ReportFixture.load(superuser);

        dsl.execute("GRANT SELECT ON visits_summary, visits_summary_mv, section_daily TO " + fixture.anon);
        dsl.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + fixture.analyst);
        dsl.execute("GRANT SELECT ON visit_log, page_visits, users TO " + fixture.restricted);
        dsl.execute("ALTER TABLE page_visits ENABLE ROW LEVEL SECURITY");
        dsl.execute("CREATE POLICY analyst_reads_every_visit ON page_visits FOR SELECT TO " + fixture.analyst + " USING (true)");
        dsl.execute("CREATE POLICY own_visits ON page_visits FOR SELECT TO " + fixture.restricted
                + " USING (user_id = (current_setting('request.jwt.claims', true)::json->>'sub')::bigint)");
        return new AccessFixture(superuser, vista, database);
    }

    /** Tokens signed with {@link #SECRET}, the anonymous role, the admin token and {@link #analyst} as admin role; plus {@code more}. */
    public Config config(String... more) {
        var env = new HashMap<String, String>(Map.of(
                "VISTA_JWT_SECRET", SECRET,
                "VISTA_ANON_ROLE", anon,
                "VISTA_ADMIN_TOKEN", ADMIN_TOKEN,
                "VISTA_ADMIN_ROLES", analyst));
        for (int i = 0; i < more.length; i += 2) {
            if (more[i + 1] == null) {
                env.remove(more[i]);
            } else {
                env.put(more[i], more[i + 1]);
            }
        }
        return Config.fromEnvironment(env);
    }

    /** A token for {@code role} (and {@code sub}, when not null), valid for an hour. */
    public String token(String role, String sub) {
        return TokenSigner.of(config().access()).sign(role, Optional.ofNullable(sub), Duration.ofHours(1), Map.of(), Instant.now());
    }

    public DSLContext dsl() {
        return TestDatabase.dsl(superuser);
    }

    /** What could change: the rows of each table, the relations of the schema, the roles of this test. */
    public Map<String, Object> state() {
        var dsl = dsl();
        var state = new HashMap<String, Object>();
        for (var table : List.of("users", "page_visits", "refresh_history")) {
            state.put(table, dsl.fetchCount(org.jooq.impl.DSL.table(org.jooq.impl.DSL.name(table))));
        }
        state.put("relations", dsl.resultQuery("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class"
                + " WHERE relnamespace = 'public'::regnamespace").fetchOne(0, String.class));
        state.put("roles", dsl.resultQuery("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE ?",
                superuser.getPoolName() + "%").fetchOne(0, String.class));
        return state;
    }

    /** Closes the pools and drops this test's roles and what they own or were granted. */
    @Override
    public void close() {
        vista.close();
        var dsl = dsl();
        for (var role : List.of(anon, analyst, restricted, outsider)) {
            dsl.execute("DROP OWNED BY " + role);
        }
        dsl.execute("REASSIGN OWNED BY " + vistaRole + " TO CURRENT_USER");
        dsl.execute("DROP OWNED BY " + vistaRole);
        for (var role : List.of(anon, analyst, restricted, outsider, vistaRole)) {
            dsl.execute("DROP ROLE " + role);
        }
        superuser.close();
    }
}
