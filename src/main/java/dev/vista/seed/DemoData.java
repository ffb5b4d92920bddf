package dev.vista.seed;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;

import dev.vista.migrate.MaterializedViews;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Loads demo data server-side with {@code generate_series}: nothing travels row by row over the wire, so
 * ten million visits take seconds, not minutes. The data is deterministic for a given size, so benchmark
 * runs compare like with like.
 *
 * <p>The statements are plain SQL with bind values: they are about random distributions, which jOOQ's DSL
 * would only make harder to read.
 */
public final class DemoData {

    /** The sections of the talk's example, and a few more. */
    static final String SECTIONS = "{index,dashboard,settings,reports,profile,billing}";

    private static final long CHUNK = 1_000_000;

    private final DSLContext dsl;
    private final Consumer<String> progress;

    public DemoData(DSLContext dsl, Consumer<String> progress) {
        this.dsl = dsl;
        this.progress = progress;
    }

    /** The talk's shape on first start: 100 users, each with 1 to 1000 visits in the current month. */
    public boolean seedIfEmpty() {
        if (dsl.fetchExists(USERS)) {
            return false;
        }
        dsl.transaction(tx -> {
            var t = tx.dsl();
            insertUsers(t, 100);
            t.query("""
                    INSERT INTO page_visits (user_id, section, visit_time, duration_ms)
                    SELECT u.id,
                           (?::text[])[1 + floor(random() * 6)::int],
                           date_trunc('month', now()) + random() * (now() - date_trunc('month', now())),
                           (200 + random() * random() * 30000)::int
                    FROM users u
                    CROSS JOIN LATERAL generate_series(1, 1 + abs(hashint8(u.id)) % 1000) AS visit
                    """, SECTIONS).execute();
            refresh(t);
        });
        return true;
    }

    /**
     * Replaces all data with {@code users} users and {@code visits} visits spread over the 30 days before
     * now, then refreshes the materialized views. Shows progress per million rows.
     */
    public void seed(long visits, int users) {
        dsl.transaction(tx -> {
            var t = tx.dsl();
            t.query("SET LOCAL synchronous_commit = off").execute();
            t.truncate(PAGE_VISITS, USERS).restartIdentity().cascade().execute();
            insertUsers(t, users);
            t.query("SELECT setseed(0.42)").execute();
            var started = System.nanoTime();
            for (long from = 1; from <= visits; from += CHUNK) {
                var to = Math.min(visits, from + CHUNK - 1);
                t.query("""
                        INSERT INTO page_visits (user_id, section, visit_time, duration_ms)
                        SELECT 1 + floor(random() * ?)::bigint,
                               (?::text[])[1 + floor(random() * 6)::int],
                               now() - random() * interval '30 days',
                               (200 + random() * random() * 30000)::int
                        FROM generate_series(?::bigint, ?::bigint)
                        """, users, SECTIONS, from, to).execute();
                var seconds = (System.nanoTime() - started) / 1e9;
                progress.accept("visits: %,d / %,d (%.0f%%, %.1fs, %,.0f rows/s)".formatted(to, visits, 100.0 * to / visits, seconds, to / seconds));
            }
            progress.accept("analyzing and refreshing materialized views");
            t.query("ANALYZE users, page_visits").execute();
            refresh(t);
        });
    }

    private static void insertUsers(DSLContext t, int users) {
        t.query("""
                INSERT INTO users (id, username, email, created_at)
                SELECT i,
                       'user' || i,
                       CASE WHEN i % 10 = 0 THEN NULL ELSE 'user' || i || '@example.com' END,
                       date_trunc('month', now()) - interval '60 days' + i * interval '1 minute'
                FROM generate_series(1, ?) AS i
                """, users).execute();
        t.query("SELECT setval(pg_get_serial_sequence('users', 'id'), greatest(?, 1))", users).execute();
    }

    private static void refresh(DSLContext t) {
        t.connection(connection -> MaterializedViews.refreshAll(connection));
    }

    public static DSLContext using(javax.sql.DataSource dataSource) {
        return DSL.using(dataSource, org.jooq.SQLDialect.POSTGRES);
    }
}
