package dev.vista.seed;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;

import dev.vista.migrate.MaterializedViews;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Loads demo data server-side with {@code generate_series}: nothing travels row by row over the wire, so
 * millions of visits take seconds, not minutes. The data is deterministic for a given size, so benchmark
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

    public static DSLContext using(DataSource dataSource) {
        return DSL.using(dataSource, SQLDialect.POSTGRES);
    }

    /** How long a seed took: loading the visits alone (what the benchmark compares with a bare INSERT) and in all. */
    public record Timing(Duration visits, Duration total) {
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
     * now, then refreshes the materialized views. Foreign keys and secondary indexes of page_visits are set
     * aside during the load and put back after it in one pass each, as pg_restore does. The visits are loaded
     * in chunks of a million rows on as many connections as there are cores; each chunk seeds its own random
     * generator and carries its own ids, so the data is the same whichever connection loads which chunk.
     *
     * <p>Unlike a migration this is not one transaction: it is a bulk load that replaces everything.
     */
    public Timing seed(long visits, int users) {
        var started = System.nanoTime();
        var deferred = new ArrayList<String>();
        dsl.transaction(tx -> {
            var t = tx.dsl();
            t.truncate(PAGE_VISITS, USERS).restartIdentity().cascade().execute();
            insertUsers(t, users);
            deferred.addAll(deferConstraintsAndIndexes(t));
        });
        try {
            loadVisits(visits, users);
        } finally {
            // Put back what was set aside, even when the load failed.
            progress.accept("checking foreign keys and building indexes");
            dsl.transaction(tx -> deferred.forEach(ddl -> tx.dsl().execute(ddl)));
        }
        var visitsTook = Duration.ofNanos(System.nanoTime() - started);
        progress.accept("analyzing and refreshing materialized views");
        dsl.transaction(tx -> {
            var t = tx.dsl();
            t.query("SELECT setval(pg_get_serial_sequence('page_visits', 'id'), greatest(?, 1))", visits).execute();
            t.query("ANALYZE users, page_visits").execute();
            refresh(t);
        });
        return new Timing(visitsTook, Duration.ofNanos(System.nanoTime() - started));
    }

    private void loadVisits(long visits, int users) {
        var chunks = (visits + CHUNK - 1) / CHUNK;
        var done = new AtomicLong();
        var started = System.nanoTime();
        var workers = (int) Math.max(1, Math.min(chunks, Runtime.getRuntime().availableProcessors()));
        try (var pool = Executors.newFixedThreadPool(workers)) {
            var futures = new ArrayList<Future<?>>();
            for (long chunk = 0; chunk < chunks; chunk++) {
                var from = chunk * CHUNK + 1;
                var to = Math.min(visits, from + CHUNK - 1);
                var seed = 1.0 / (chunk + 2);
                futures.add(pool.submit(() -> {
                    dsl.transaction(tx -> {
                        var t = tx.dsl();
                        t.query("SET LOCAL synchronous_commit = off").execute();
                        t.query("SELECT setseed(?)", seed).execute();
                        t.query("""
                                INSERT INTO page_visits (id, user_id, section, visit_time, duration_ms)
                                SELECT g,
                                       1 + floor(random() * ?)::bigint,
                                       (?::text[])[1 + floor(random() * 6)::int],
                                       now() - random() * interval '30 days',
                                       (200 + random() * random() * 30000)::int
                                FROM generate_series(?::bigint, ?::bigint) AS g
                                """, users, SECTIONS, from, to).execute();
                    });
                    var loaded = done.addAndGet(to - from + 1);
                    var seconds = (System.nanoTime() - started) / 1e9;
                    progress.accept("visits: %,d / %,d (%.0f%%, %.1fs, %,.0f rows/s)".formatted(
                            loaded, visits, 100.0 * loaded / visits, seconds, loaded / seconds));
                }));
            }
            for (var future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("seeding interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Drops page_visits' foreign keys and secondary indexes and returns the DDL that restores them: checking
     * a foreign key for each inserted row costs more than inserting the row.
     */
    private static List<String> deferConstraintsAndIndexes(DSLContext t) {
        var restore = new ArrayList<String>();
        for (var fk : t.resultQuery("""
                SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = 'page_visits'::regclass AND contype = 'f' ORDER BY conname
                """).fetch()) {
            t.execute("ALTER TABLE page_visits DROP CONSTRAINT " + fk.get(0, String.class));
            restore.add("ALTER TABLE page_visits ADD CONSTRAINT " + fk.get(0, String.class) + " " + fk.get(1, String.class));
        }
        for (var index : t.resultQuery("""
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                WHERE i.indrelid = 'page_visits'::regclass AND NOT i.indisprimary AND NOT i.indisunique
                  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                ORDER BY 1
                """).fetch()) {
            t.execute("DROP INDEX " + index.get(0, String.class));
            restore.add(index.get(1, String.class));
        }
        return restore;
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
        t.connection(MaterializedViews::refreshAll);
    }
}
