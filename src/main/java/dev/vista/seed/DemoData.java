package dev.vista.seed;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;
import static org.jooq.impl.DSL.abs;
import static org.jooq.impl.DSL.arrayGet;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.floor;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.generateSeries;
import static org.jooq.impl.DSL.greatest;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.rand;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.trunc;
import static org.jooq.impl.DSL.val;
import static org.jooq.impl.DSL.when;

import dev.vista.refresh.Refresher;
import dev.vista.refresh.Trigger;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;
import org.jooq.types.DayToSecond;

/**
 * Loads demo data server-side with {@code generate_series}: nothing travels row by row over the wire, so millions
 * of visits take seconds, not minutes. The data is deterministic for a given size, so benchmark runs compare like
 * with like. The materialized views and incremental aggregates are refreshed through the {@link Refresher}
 * afterwards, so every stored report matches the data and its refresh history says when.
 */
public final class DemoData {

    /** The sections of the talk's example, and a few more. */
    static final String[] SECTIONS = {"index", "dashboard", "settings", "reports", "profile", "billing"};

    private static final long CHUNK = 1_000_000;

    private final DSLContext dsl;
    private final Refresher refresher;
    private final Trigger trigger;
    private final Consumer<String> progress;

    /** @param trigger what the refreshes after a load are recorded as: startup for the app's first start, cli for {@code vista seed} */
    public DemoData(DSLContext dsl, Refresher refresher, Trigger trigger, Consumer<String> progress) {
        this.dsl = dsl;
        this.refresher = refresher;
        this.trigger = trigger;
        this.progress = progress;
    }

    /** How long a seed took: loading the visits alone (what the benchmark compares with a bare INSERT) and in all. */
    public record Timing(Duration visits, Duration total) {
    }

    /** The talk's shape on first start: 100 users, each with 1 to 1000 visits over the last 30 days, today included. */
    public boolean seedIfEmpty() {
        if (dsl.fetchExists(USERS)) {
            return false;
        }
        dsl.transaction(tx -> {
            var t = tx.dsl();
            insertUsers(t, 100);
            // 1 + |hashint8(id)| % 1000 visits per user: the same spread on every first start; ids in the order of
            // the visits' moments, as a table that only grows holds them (see inTheLast30DaysInIdOrder)
            Field<Integer> visits = inline(1).plus(abs(function("hashint8", Long.class, USERS.ID)).mod(inline(1000L)).cast(SQLDataType.INTEGER));
            var time = randomTimeInTheLast30Days().as(PAGE_VISITS.VISIT_TIME.getName());
            t.insertInto(PAGE_VISITS, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS)
                    .select(select(USERS.ID, randomSection(), time, randomDuration())
                            .from(USERS)
                            .crossJoin(lateral(generateSeries(inline(1), visits).as("visit")))
                            .orderBy(field(name(time.getName()))))
                    .execute();
        });
        refreshStoredViews();
        return true;
    }

    /**
     * Replaces all data with {@code users} users and {@code visits} visits over the 30 days before now, in the order of
     * their ids as a table that only grows holds them ({@link #inTheLast30DaysInIdOrder}), then
     * refreshes every stored view. Foreign keys and secondary indexes of page_visits are set aside during the load
     * and put back after it in one pass each, as pg_restore does. The visits are loaded in chunks of a million rows on
     * as many connections as there are cores; each chunk seeds its own random generator and carries its own ids, so
     * the data is the same whichever connection loads which chunk.
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
        dsl.select(setval(PAGE_VISITS.getName(), PAGE_VISITS.ID.getName(), visits)).fetch();
        progress.accept("vacuuming, analyzing and refreshing materialized views");
        // VACUUM as well as ANALYZE: it sets the hint bits and the visibility map of the new pages once, now, so the
        // first queries neither write them nor meet autovacuum's own vacuum of the inserts, which would otherwise run
        // (for minutes at 10M visits) under whatever reads first (and lets index-only scans skip the heap from the start)
        dsl.execute("VACUUM (ANALYZE) users, page_visits");
        refreshStoredViews();
        return new Timing(visitsTook, Duration.ofNanos(System.nanoTime() - started));
    }

    /** Every materialized view and incremental aggregate, in dependency order, plainly: nobody reads them yet. */
    private void refreshStoredViews() {
        refresher.refreshAll(trigger, true, false);
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
                        t.select(function("set_config", String.class, val("synchronous_commit"), val("off"), val(true))).fetch();
                        t.select(function("setseed", Object.class, val(seed))).fetch();
                        Table<?> ids = generateSeries(val(Math.toIntExact(from)), val(Math.toIntExact(to))).as("g", "id");
                        Field<Long> id = field(name("g", "id"), Integer.class).cast(SQLDataType.BIGINT);
                        Field<Long> user = inline(1L).plus(floor(rand().times(val(users))).cast(SQLDataType.BIGINT));
                        t.insertInto(PAGE_VISITS, PAGE_VISITS.ID, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME,
                                        PAGE_VISITS.DURATION_MS)
                                .select(select(id, user, randomSection(), inTheLast30DaysInIdOrder(id, visits), randomDuration()).from(ids))
                                .execute();
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

    /** One of {@link #SECTIONS}, each as likely. */
    private static Field<String> randomSection() {
        return arrayGet(val(SECTIONS), inline(1).plus(floor(rand().times(inline(SECTIONS.length))).cast(SQLDataType.INTEGER)));
    }

    /** A moment in the 30 days before now, so that the last 30 days, today included, all have visits. */
    private static Field<OffsetDateTime> randomTimeInTheLast30Days() {
        return currentOffsetDateTime().minus(inline(new DayToSecond(30)).times(rand()));
    }

    /**
     * The moment of visit {@code id} of {@code visits}: in the 30 days before now, later for a higher id, as an
     * append-only table grows (each id has a slot of its own, the moment at random within it). A day's visits are
     * then one stretch of the table, as in production, where reading a day's bucket reads that day's pages; spread at
     * random over the whole table, each day's visits touched most of its pages (an incremental refresh of one day read
     * 5,000 of 7,000 blocks at 1M visits).
     */
    private static Field<OffsetDateTime> inTheLast30DaysInIdOrder(Field<Long> id, long visits) {
        var age = val((double) visits).minus(id).plus(rand()).div(val((double) visits));
        return currentOffsetDateTime().minus(inline(new DayToSecond(30)).times(age));
    }

    /** Mostly short visits, some long: 200 ms to about 30 s, skewed towards short. */
    private static Field<Integer> randomDuration() {
        return inline(200).plus(rand().times(rand()).times(inline(30_000))).cast(SQLDataType.INTEGER);
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

    /** user1 ... userN; every tenth has no email, so reports show NULLs; created over the two months before this one. */
    private static void insertUsers(DSLContext t, int users) {
        Table<?> ids = generateSeries(inline(1), val(users)).as("u", "i");
        Field<Long> i = field(name("u", "i"), Integer.class).cast(SQLDataType.BIGINT);
        Field<String> username = inline("user").concat(i);
        t.insertInto(USERS, USERS.ID, USERS.USERNAME, USERS.EMAIL, USERS.CREATED_AT)
                .select(select(i, username,
                        when(i.mod(inline(10L)).eq(inline(0L)), inline((String) null)).otherwise(username.concat(inline("@example.com"))),
                        trunc(currentOffsetDateTime(), org.jooq.DatePart.MONTH).minus(inline(new DayToSecond(60)))
                                .plus(inline(new DayToSecond(0, 0, 1)).times(i)))
                        .from(ids))
                .execute();
        t.select(setval(USERS.getName(), USERS.ID.getName(), users)).fetch();
    }

    /** Moves a table's identity past the ids inserted explicitly. */
    private static Field<Long> setval(String table, String column, long last) {
        return function("setval", Long.class, function("pg_get_serial_sequence", String.class, val(table), val(column)), greatest(val(last), inline(1L)));
    }
}
