package dev.vista.refresh;

import static org.jooq.impl.DSL.asterisk;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.countDistinct;
import static org.jooq.impl.DSL.falseCondition;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectDistinct;
import static org.jooq.impl.DSL.sql;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;
import static org.jooq.impl.DSL.when;
import static org.jooq.impl.DSL.with;

import dev.vista.migrate.ViewFile;
import dev.vista.migrate.ViewFile.Buckets;
import java.time.Duration;
import java.util.Optional;
import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record1;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;

/**
 * The queries behind real-time reads and incremental refreshes of a view bucketed over an append-only table.
 *
 * <p>The buckets touched since a watermark are the distinct bucket values of the rows above it (a short range
 * scan of the id's index). Recomputing them runs the view's own query from db/ restricted to those buckets, as
 * {@code touched CROSS JOIN LATERAL (SELECT * FROM (query) q WHERE q.bucket = touched.bucket OFFSET 0)}: the
 * {@code OFFSET 0} keeps PostgreSQL from flattening the lateral subquery, so the bucket condition is pushed into
 * the query's GROUP BY and reaches the base table's index, per touched bucket. Everything is recomputed from base
 * rows, so distinct counts and percentiles stay exact.
 */
final class BucketQueries {

    private BucketQueries() {
    }

    /**
     * Takes a watermark that is safe to record for a refresh whose snapshot is taken afterwards: every id up to it
     * is committed. A SHARE lock waits for the transactions inserting into the table right now (an INSERT holds
     * its ROW EXCLUSIVE lock from before it draws an id until it ends) and is released at once; the highest id
     * then is the watermark. A lower id can therefore never commit after the refresh's snapshot. Ids must come from
     * the table's identity or sequence without CACHE (the default). Empty when writers kept the lock longer than
     * {@code lockTimeout}: the caller keeps the previous watermark, which is always safe.
     */
    static Optional<Watermark> fence(DSLContext session, Buckets buckets, Duration lockTimeout) {
        try {
            return Optional.of(session.transactionResult(tx -> {
                var t = tx.dsl();
                t.select(function("set_config", String.class, val("lock_timeout"), val(lockTimeout.toMillis() + "ms"), val(true))).fetch();
                t.execute("LOCK TABLE {0} IN SHARE MODE", name(buckets.table()));
                var highest = t.select(coalesce(max(id(buckets)), 0L)).from(table(name(buckets.table()))).fetchOne(0, Long.class);
                return new Watermark(highest, t.select(filenode(buckets)).fetchOne(0, Long.class));
            }));
        } catch (DataAccessException e) {
            if ("55P03".equals(e.sqlState())) { // lock_not_available: lock_timeout expired
                return Optional.empty();
            }
            throw e;
        }
    }

    static Field<Long> filenode(Buckets buckets) {
        return function("pg_relation_filenode", Long.class, function("to_regclass", Object.class, val(buckets.table())));
    }

    /**
     * The view's rows as they would be computed now: stored rows of untouched buckets, united with the touched
     * buckets recomputed from base rows. One statement, so one snapshot. Without a usable watermark (none recorded,
     * or the table was truncated since) the stored rows are ignored and everything is recomputed: slower, never wrong.
     */
    static Table<?> realtime(Table<?> stored, ViewFile file, Optional<Watermark> watermark) {
        var buckets = file.buckets().orElseThrow();
        var above = watermark
                .map(w -> when(filenode(buckets).eq(w.baseFilenode()), val(w.id())).otherwise(Long.MIN_VALUE))
                .orElse(val(Long.MIN_VALUE));
        // Stored rows count only while the watermark does: after a TRUNCATE, days may have lost rows, or vanished.
        var sameTable = watermark.map(w -> filenode(buckets).eq(w.baseFilenode())).orElse(falseCondition());
        var touched = touched(buckets, above);
        var kept = stored.as("stored");
        var live = live(file);
        return with(touched)
                .select(kept.asterisk()).from(kept)
                .where(sameTable, field(name("stored", buckets.column())).notIn(select(field(name("touched", "bucket"))).from(touched)))
                .unionAll(select(table(name("live")).asterisk()).from(touched).crossJoin(live))
                .asTable(stored.getName());
    }

    /** How many buckets rows above the watermark fall in. */
    static int touchedCount(DSLContext tx, Buckets buckets, long above) {
        return tx.select(countDistinct(bucket(buckets))).from(table(name(buckets.table()))).where(id(buckets).gt(above)).fetchOne(0, Integer.class);
    }

    /** Replaces the touched buckets of an incremental aggregate's table with their recomputation. */
    static void replaceTouched(DSLContext tx, Table<?> storage, ViewFile file, long above) {
        var buckets = file.buckets().orElseThrow();
        var touched = touched(buckets, val(above));
        tx.deleteFrom(storage)
                .where(field(name(buckets.column())).in(selectDistinct(bucket(buckets)).from(table(name(buckets.table()))).where(id(buckets).gt(above))))
                .execute();
        var live = live(file);
        tx.insertInto(storage).select(with(touched).select(table(name("live")).asterisk()).from(touched).crossJoin(live)).execute();
    }

    /** Replaces all of an incremental aggregate's table with the full recomputation. */
    static void replaceAll(DSLContext tx, Table<?> storage, ViewFile file) {
        tx.deleteFrom(storage).execute(); // not TRUNCATE: readers keep reading the old rows until this commits
        tx.insertInto(storage).select(select(asterisk()).from(query(file))).execute();
    }

    private static CommonTableExpression<Record1<Object>> touched(Buckets buckets, Field<Long> above) {
        return name("touched").fields("bucket").as(selectDistinct(bucket(buckets)).from(table(name(buckets.table()))).where(id(buckets).gt(above)));
    }

    /** The touched buckets recomputed from base rows, one lateral subquery per bucket (see the class comment). */
    private static Table<Record> live(ViewFile file) {
        var buckets = file.buckets().orElseThrow();
        return lateral(select(asterisk()).from(query(file))
                .where(field(name("q", buckets.column())).eq(field(name("touched", "bucket"))))
                .offset(inline(0)))
                .as("live");
    }

    /** The view's SELECT as written in db/views: schema, not input (like ViewSync, which created it from the same text). */
    private static Table<Record> query(ViewFile file) {
        return table("({0})", sql(file.query())).as("q");
    }

    private static Field<Object> bucket(Buckets buckets) {
        return field("({0})", sql(buckets.expression()));
    }

    private static Field<Long> id(Buckets buckets) {
        return field(name(buckets.table(), buckets.idColumn()), Long.class);
    }
}
