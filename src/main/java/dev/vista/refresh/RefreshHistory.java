package dev.vista.refresh;

import static dev.vista.generated.Tables.REFRESH_HISTORY;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.val;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.SQLDataType;

/**
 * The record of every refresh, in {@code refresh_history}: a row is inserted as {@code running} and committed before
 * the work starts, so other sessions see it, then marked {@code succeeded} in the refresh's own transaction (its
 * rows and watermark become visible exactly when the refreshed data does) or {@code failed} with the error.
 */
final class RefreshHistory {

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
