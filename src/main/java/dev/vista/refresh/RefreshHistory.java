package dev.vista.refresh;

import static dev.vista.generated.Tables.REFRESH_HISTORY;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.condition;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;

/**
 * The record of every refresh, in {@code refresh_history}: a row is inserted as {@code running} and committed before
 * the work starts, so other sessions see it, then marked {@code succeeded} in the refresh's own transaction (its
 * rows and watermark become visible exactly when the refreshed data does) or {@code failed} with the error.
 *
 * <p>Refreshes made outside Vista are recorded too, as Vista notices them ({@link #recordOutside}): every REFRESH
 * MATERIALIZED VIEW, CONCURRENTLY or not, writes a new version of the view's {@code pg_class} row
 * (SetMatViewPopulatedState in PostgreSQL's matview.c), so that row's {@code xmin} names the refresh the view's rows
 * are from, and each success records it ({@code relation_xmin}).
 */
final class RefreshHistory {

    // pg_catalog has no generated classes: these few fragments of it are all the history needs.
    private static final Table<?> PG_CLASS = table(name("pg_catalog", "pg_class")).as("c");
    private static final Field<String> RELNAME = field("c.relname::text", String.class);
    private static final Field<Long> XMIN = field("c.xmin::text::bigint", Long.class);
    private static final Condition OWN_MATERIALIZED_VIEW = condition("c.relnamespace = current_schema()::regnamespace AND c.relkind = 'm'");
    /** When the xmin committed, where PostgreSQL tracks it (track_commit_timestamp); else null. */
    private static final Field<OffsetDateTime> XMIN_COMMITTED = field(
            "CASE WHEN current_setting('track_commit_timestamp')::boolean THEN pg_xact_commit_timestamp(c.xmin) END", OffsetDateTime.class);

    /** What the scheduler needs of a view's history: its last success, its last attempt, and how many failed since. */
    record State(Optional<RecordedRefresh> lastSuccess, Optional<RecordedRefresh> last, int failuresSinceSuccess) {
    }

    private RefreshHistory() {
    }

    /**
     * Marks the view's {@code running} rows failed: called while holding the view's lock, so no refresh is running
     * and such a row is one whose process died before it could record the end.
     */
    static int abandon(DSLContext dsl, String view) {
        return dsl.update(REFRESH_HISTORY)
                .set(REFRESH_HISTORY.STATUS, "failed")
                .set(REFRESH_HISTORY.FINISHED_AT, function("clock_timestamp", SQLDataType.TIMESTAMPWITHTIMEZONE))
                .set(REFRESH_HISTORY.ERROR, "abandoned: the session refreshing it ended before it finished")
                .where(REFRESH_HISTORY.VIEW_NAME.eq(view), REFRESH_HISTORY.STATUS.eq("running"))
                .execute();
    }

    static RecordedRefresh start(DSLContext dsl, String view, Trigger trigger, Mode mode) {
        var record = dsl.insertInto(REFRESH_HISTORY)
                .set(REFRESH_HISTORY.VIEW_NAME, view)
                .set(REFRESH_HISTORY.TRIGGER, trigger.name())
                .set(REFRESH_HISTORY.MODE, mode.name())
                .set(REFRESH_HISTORY.BACKEND_PID, function("pg_backend_pid", Integer.class))
                .returning()
                .fetchOne();
        return RecordedRefresh.of(record);
    }

    static RecordedRefresh succeed(DSLContext dsl, long id, long durationMs, long rows, Watermark watermark) {
        return RecordedRefresh.of(dsl.update(REFRESH_HISTORY)
                .set(REFRESH_HISTORY.STATUS, "succeeded")
                .set(REFRESH_HISTORY.FINISHED_AT, function("clock_timestamp", SQLDataType.TIMESTAMPWITHTIMEZONE))
                .set(REFRESH_HISTORY.DURATION_MS, durationMs)
                .set(REFRESH_HISTORY.ROW_COUNT, rows)
                .set(REFRESH_HISTORY.WATERMARK, watermark == null ? null : watermark.id())
                .set(REFRESH_HISTORY.BASE_FILENODE, watermark == null ? null : watermark.baseFilenode())
                // read in the refresh's own transaction: the pg_class row its REFRESH wrote (null for an incremental aggregate)
                .set(REFRESH_HISTORY.RELATION_XMIN, select(XMIN).from(PG_CLASS).where(OWN_MATERIALIZED_VIEW, RELNAME.eq(REFRESH_HISTORY.VIEW_NAME)))
                .where(REFRESH_HISTORY.ID.eq(id))
                .returning()
                .fetchOne());
    }

    static void fail(DSLContext dsl, long id, long durationMs, String error) {
        dsl.update(REFRESH_HISTORY)
                .set(REFRESH_HISTORY.STATUS, "failed")
                .set(REFRESH_HISTORY.FINISHED_AT, function("clock_timestamp", SQLDataType.TIMESTAMPWITHTIMEZONE))
                .set(REFRESH_HISTORY.DURATION_MS, durationMs)
                .set(REFRESH_HISTORY.ERROR, error)
                .where(REFRESH_HISTORY.ID.eq(id))
                .execute();
    }

    /**
     * Records the refreshes made outside Vista since its last look: each populated materialized view whose
     * {@code pg_class} xmin is not the one its last recorded success left. One statement, so the catalogue and the
     * history are read in one snapshot: a refresh of Vista's committing meanwhile is seen whole or not at all. Several
     * Vistas noticing the same refresh record it once (refresh_history_outside_once_idx). A view never refreshed by
     * Vista has nothing to compare with, and nothing is recorded for it. The views whose refresh was recorded.
     */
    static List<String> recordOutside(DSLContext dsl) {
        var last = REFRESH_HISTORY.as("last");
        var previous = lateral(select(last.RELATION_XMIN, last.FINISHED_AT, last.WATERMARK, last.BASE_FILENODE).from(last)
                .where(last.VIEW_NAME.eq(RELNAME), last.STATUS.eq("succeeded"))
                .orderBy(last.STARTED_AT.desc())
                .limit(1)).as("previous");
        var previousXmin = previous.field(last.RELATION_XMIN);
        var now = function("clock_timestamp", SQLDataType.TIMESTAMPWITHTIMEZONE);
        return dsl.insertInto(REFRESH_HISTORY, REFRESH_HISTORY.VIEW_NAME, REFRESH_HISTORY.TRIGGER, REFRESH_HISTORY.STATUS,
                        REFRESH_HISTORY.STARTED_AT, REFRESH_HISTORY.FINISHED_AT, REFRESH_HISTORY.RELATION_XMIN,
                        REFRESH_HISTORY.WATERMARK, REFRESH_HISTORY.BASE_FILENODE)
                // it ran after the refresh before it ended, and had committed when noticed; so it holds at least the
                // rows that refresh's watermark counts, which real-time reads may go on from
                .select(select(RELNAME, inline(Trigger.outside.name()), inline("succeeded"), previous.field(last.FINISHED_AT),
                        coalesce(XMIN_COMMITTED, now), XMIN, previous.field(last.WATERMARK), previous.field(last.BASE_FILENODE))
                        .from(PG_CLASS).crossJoin(previous)
                        .where(OWN_MATERIALIZED_VIEW, condition("c.relispopulated"), previousXmin.isNotNull(), previousXmin.ne(XMIN)))
                .onConflictDoNothing()
                .returning(REFRESH_HISTORY.VIEW_NAME)
                .fetch(REFRESH_HISTORY.VIEW_NAME);
    }

    static Optional<RecordedRefresh> lastSuccess(DSLContext dsl, String view) {
        return dsl.selectFrom(REFRESH_HISTORY)
                .where(REFRESH_HISTORY.VIEW_NAME.eq(view), REFRESH_HISTORY.STATUS.eq("succeeded"))
                .orderBy(REFRESH_HISTORY.STARTED_AT.desc())
                .limit(1)
                .fetchOptional(RecordedRefresh::of);
    }

    static Optional<RecordedRefresh> last(DSLContext dsl, String view) {
        return dsl.selectFrom(REFRESH_HISTORY)
                .where(REFRESH_HISTORY.VIEW_NAME.eq(view))
                .orderBy(REFRESH_HISTORY.STARTED_AT.desc())
                .limit(1)
                .fetchOptional(RecordedRefresh::of);
    }

    /** The last successful refresh of each of the views that has one: one short index scan per view. */
    static Map<String, RecordedRefresh> lastSuccesses(DSLContext dsl, Collection<String> views) {
        var result = new LinkedHashMap<String, RecordedRefresh>();
        for (var view : views) {
            lastSuccess(dsl, view).ifPresent(e -> result.put(view, e));
        }
        return result;
    }

    static State state(DSLContext dsl, String view) {
        var lastSuccess = lastSuccess(dsl, view);
        var last = last(dsl, view);
        var since = lastSuccess.map(e -> REFRESH_HISTORY.STARTED_AT.gt(val(e.startedAt()))).orElse(noCondition());
        var failures = dsl.fetchCount(REFRESH_HISTORY, REFRESH_HISTORY.VIEW_NAME.eq(view), REFRESH_HISTORY.STATUS.eq("failed"), since);
        return new State(lastSuccess, last, failures);
    }
}
