package dev.vista.refresh;

import static dev.vista.generated.Tables.REFRESH_HISTORY;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.val;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * One refresh of a view at a time, across threads, app instances and the CLI: a session-level PostgreSQL advisory
 * lock per view (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS), held by the
 * connection that refreshes. It goes away with that session, so a crashed refresh never leaves a view locked.
 *
 * <p>The key is the two-int form: a namespace for Vista's refresh locks, and 32 bits of the view name's SHA-256.
 * Two names sharing those bits would merely refresh one after the other.
 */
final class RefreshLock {

    static final int NAMESPACE = 0x56524546; // "VREF"

    private RefreshLock() {
    }

    static int key(String view) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(view.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getInt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean tryLock(DSLContext session, String view) {
        return session.select(function("pg_try_advisory_lock", Boolean.class, val(NAMESPACE), val(key(view)))).fetchOne(0, Boolean.class);
    }

    /** Waits for the lock, bounded by the session's statement_timeout. */
    static void lock(DSLContext session, String view) {
        session.select(function("pg_advisory_lock", Object.class, val(NAMESPACE), val(key(view)))).fetch();
    }

    static void unlock(DSLContext session, String view) {
        session.select(function("pg_advisory_unlock", Boolean.class, val(NAMESPACE), val(key(view)))).fetch();
    }

    /** Who holds the lock of {@code view} now, if anyone: pg_locks shows a two-int advisory key as classid, objid, objsubid 2. */
    static Optional<Holder> holder(DSLContext dsl, String view) {
        var backend = dsl.resultQuery("""
                SELECT a.pid, a.application_name, a.client_addr::text
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid::bigint = ? AND l.objid::bigint = ?
                """, Integer.toUnsignedLong(NAMESPACE), Integer.toUnsignedLong(key(view))).fetchOptional();
        if (backend.isEmpty()) {
            return Optional.empty();
        }
        var running = dsl.select(REFRESH_HISTORY.TRIGGER, REFRESH_HISTORY.STARTED_AT)
                .from(REFRESH_HISTORY)
                .where(REFRESH_HISTORY.VIEW_NAME.eq(view), REFRESH_HISTORY.STATUS.eq("running"))
                .fetchOptional();
        var b = backend.get();
        return Optional.of(new Holder(view, b.get(0, Integer.class), b.get(1, String.class), b.get(2, String.class),
                running.map(r -> Trigger.valueOf(r.value1())).orElse(null),
                running.map(r -> r.get(1, OffsetDateTime.class)).orElse(null)));
    }
}
