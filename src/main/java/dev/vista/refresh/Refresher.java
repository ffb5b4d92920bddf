package dev.vista.refresh;

import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;

import dev.vista.config.Durations;
import dev.vista.migrate.Kind;
import dev.vista.migrate.PgCatalog.Relation;
import dev.vista.migrate.PgCatalog;
import dev.vista.migrate.ViewFile;
import dev.vista.refresh.RefreshException.Reason;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes materialized views and incremental aggregates: the Java API behind {@code vista refresh}, the admin
 * endpoint and the scheduler.
 *
 * <p>A request runs on one connection of its own: it takes the advisory lock of every view it will refresh (or
 * says who holds one), sets its own statement_timeout and an application_name that names the view and the
 * trigger (so pg_stat_activity shows who is refreshing what), then refreshes each view in dependency order, each
 * recorded in refresh_history. Views with a watermark get one taken by {@link BucketQueries#fence} before the
 * refresh's snapshot, and record it with the refresh, in the same transaction.
 */
public final class Refresher {

    private static final Logger LOG = LoggerFactory.getLogger(Refresher.class);
    private static final Duration FENCE_TIMEOUT = Duration.ofSeconds(2);

    private final DataSource dataSource;
    private final DSLContext dsl;
    private final Map<String, ViewFile> files;
    private final Duration timeout;
    private final Duration fenceTimeout;
    private final Freshness freshness;
    private final RefreshMetrics metrics;
    /**
     * The connections whose refresh statements {@link #stop} may cancel. A cancel lands on whatever the session runs
     * when it arrives, so each connection is cancelled at most once ({@code stop} empties the set: the scheduler stops
     * the refresher too), and only under this set's monitor, which a refresh takes to leave the set before it releases
     * its locks: a cancel never hits the unlock, which would leave a pooled session holding a view's lock.
     */
    private final Set<Connection> working = new HashSet<>();
    private volatile boolean stopping;

    /**
     * @param files        db/views, parsed: where schedules, watermarks and incremental aggregates are declared
     * @param freshness    told about every refresh, so that answers show it at once
     * @param timeout      how long one refresh statement (or the wait for another refresh's lock) may take
     * @param fenceTimeout how long to wait for in-flight inserts when taking a watermark before keeping the old one
     * @param meters       where refreshes, schedule misses and each stored view's age are recorded ({@link RefreshMetrics})
     */
    public Refresher(DataSource dataSource, List<ViewFile> files, Freshness freshness, Duration timeout, Duration fenceTimeout,
                     MeterRegistry meters) {
        this.dataSource = dataSource;
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
        this.files = files.stream().filter(f -> f.kind().stored())
                .collect(Collectors.toMap(ViewFile::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
        this.timeout = timeout;
        this.fenceTimeout = fenceTimeout;
        this.freshness = freshness;
        this.metrics = new RefreshMetrics(meters);
        this.files.keySet().forEach(view -> metrics.watchAge(view, freshness));
    }

    /** A refresher whose meters go nowhere (an empty composite registry records nothing). */
    public Refresher(DataSource dataSource, List<ViewFile> files, Freshness freshness, Duration timeout, Duration fenceTimeout) {
        this(dataSource, files, freshness, timeout, fenceTimeout, new CompositeMeterRegistry());
    }

    /** A refresher that waits up to 2 s for in-flight inserts when it takes a watermark, its meters going nowhere. */
    public static Refresher of(DataSource dataSource, List<ViewFile> files, Freshness freshness, Duration timeout) {
        return new Refresher(dataSource, files, freshness, timeout, FENCE_TIMEOUT);
    }

    /** As {@link #of(DataSource, List, Freshness, Duration)}, recording its meters in {@code meters}. */
    public static Refresher of(DataSource dataSource, List<ViewFile> files, Freshness freshness, Duration timeout, MeterRegistry meters) {
        return new Refresher(dataSource, files, freshness, timeout, FENCE_TIMEOUT, meters);
    }

    /** Refreshes what the request names; the result lists every view refreshed, in the order they were. */
    public List<RefreshResult> refresh(RefreshRequest request) {
        var graph = graph();
        var relation = graph.find(request.view()).orElseThrow(() -> new RefreshException(Reason.UNKNOWN_VIEW, request.view(),
                "no materialized view or incremental aggregate named '" + request.view() + "'"));
        if (!relation.kind().stored()) {
            throw new RefreshException(Reason.NOT_MATERIALIZED, request.view(), request.view() + " is a plain view: it stores nothing, so there is nothing to refresh");
        }
        var targets = new ArrayList<Relation>();
        if (request.cascade()) {
            targets.addAll(graph.upstream(relation.name()));
        }
        targets.add(relation);
        if (request.cascade()) {
            targets.addAll(graph.downstream(relation.name()));
        }
        return run(targets.stream().map(t -> step(t, request.concurrently(), request.fallback())).toList(), request, done -> { });
    }

    /** Every materialized view and incremental aggregate, each after what it reads; concurrently wherever possible. */
    public List<RefreshResult> refreshAll(Trigger trigger, boolean wait) {
        return refreshAll(trigger, wait, true);
    }

    /**
     * Every materialized view and incremental aggregate, each after what it reads: concurrently wherever possible, or
     * all plainly (faster, and readers wait), e.g. right after loading data that nobody reads yet.
     */
    public List<RefreshResult> refreshAll(Trigger trigger, boolean wait, boolean concurrently) {
        return refreshAll(trigger, wait, concurrently, done -> { });
    }

    /** As {@link #refreshAll(Trigger, boolean, boolean)}, telling {@code progress} about each view as soon as it is refreshed. */
    public List<RefreshResult> refreshAll(Trigger trigger, boolean wait, boolean concurrently, Consumer<RefreshResult> progress) {
        var steps = graph().refreshOrder().stream().map(r -> step(r, concurrently, true)).toList();
        return run(steps, new RefreshRequest("*", concurrently, false, true, wait, trigger), progress);
    }

    /** The views that declare '-- vista:refresh', and how often. */
    public List<RefreshScheduler.Schedule> schedules() {
        return files.values().stream()
                .flatMap(f -> f.refreshEvery().map(every -> new RefreshScheduler.Schedule(f.name(), every)).stream())
                .toList();
    }

    /** Every materialized view and incremental aggregate with its last refresh: {@code GET /api/views}. */
    public List<ViewStatus> views() {
        var result = new ArrayList<ViewStatus>();
        for (var relation : graph().refreshOrder().stream().sorted(java.util.Comparator.comparing(Relation::name)).toList()) {
            var file = Optional.ofNullable(files.get(relation.name()));
            var last = RefreshHistory.last(dsl, relation.name());
            var success = RefreshHistory.lastSuccess(dsl, relation.name());
            var populated = relation.kind() == Kind.INCREMENTAL ? success.isPresent() : relation.populated();
            result.add(new ViewStatus(relation.name(), relation.kind().label(), populated, relation.concurrentRefresh(),
                    file.flatMap(ViewFile::refreshEvery).map(Durations::format).orElse(null),
                    file.flatMap(ViewFile::buckets).isPresent(),
                    success.map(RecordedRefresh::finishedAt).orElse(null),
                    success.map(e -> Freshness.ageSeconds(e.finishedAt())).orElse(null),
                    last.orElse(null)));
        }
        return result;
    }

    /** Cancels the refresh statements running now (they are recorded as failed) and refuses new ones: Vista is stopping. */
    public void stop() {
        stopping = true;
        synchronized (working) {
            for (var connection : working) {
                try {
                    // PgJDBC returns once the server has signalled the backend, so the cancel cannot outlive the monitor.
                    connection.unwrap(PGConnection.class).cancelQuery();
                } catch (SQLException e) {
                    LOG.debug("could not cancel a refresh", e);
                }
            }
            working.clear();
        }
    }

    /** Where the scheduler records its misses. */
    RefreshMetrics metrics() {
        return metrics;
    }

    /** What the scheduler reads to decide when a view is due. */
    RefreshHistory.State state(String view) {
        return RefreshHistory.state(dsl, view);
    }

    // ---------------------------------------------------------------- planning

    private record Step(Relation relation, Mode mode, String note) {
        String view() {
            return relation.name();
        }
    }

    private PgCatalog graph() {
        return PgCatalog.load(dsl, files.values().stream().filter(f -> f.kind() == Kind.INCREMENTAL).map(ViewFile::name).collect(Collectors.toSet()));
    }

    /** How to refresh one view, or why it cannot be done as asked. Checked for every view before anything runs. */
    private static Step step(Relation relation, boolean concurrently, boolean fallback) {
        if (relation.kind() == Kind.INCREMENTAL) {
            return new Step(relation, Mode.incremental, null); // never blocks readers: nothing to do concurrently
        }
        if (!concurrently) {
            return new Step(relation, Mode.plain, null);
        }
        if (!relation.populated()) {
            var why = relation.name() + " has never been populated, and REFRESH ... CONCURRENTLY needs a populated view";
            if (!fallback) {
                throw new RefreshException(Reason.NOT_POPULATED, relation.name(), why);
            }
            return new Step(relation, Mode.plain, why + "; refreshed without CONCURRENTLY");
        }
        if (!relation.concurrentRefresh()) {
            var why = relation.name() + " has no unique index on plain column names without a WHERE clause, which REFRESH ... CONCURRENTLY needs";
            if (!fallback) {
                throw new RefreshException(Reason.NO_UNIQUE_INDEX, relation.name(), why);
            }
            return new Step(relation, Mode.plain, why + "; refreshed without CONCURRENTLY");
        }
        return new Step(relation, Mode.concurrent, null);
    }

    // ---------------------------------------------------------------- running

    private List<RefreshResult> run(List<Step> steps, RefreshRequest request, Consumer<RefreshResult> progress) {
        if (stopping) {
            throw new RefreshException(Reason.CANCELLED, request.view(), "Vista is stopping; no new refreshes");
        }
        try (var connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            var session = DSL.using(connection, SQLDialect.POSTGRES);
            var label = steps.size() == 1 ? steps.getFirst().view() : request.view() + " +" + (steps.size() - 1);
            setting(session, "statement_timeout", timeout.toMillis() + "ms");
            setting(session, "application_name", truncate("vista refresh " + label + " (" + request.trigger() + ")", 63));
            synchronized (working) {
                working.add(connection);
            }
            var locked = new ArrayList<String>();
            try {
                // In name order, so that two waiting requests never hold each other's locks.
                for (var view : steps.stream().map(Step::view).distinct().sorted().toList()) {
                    lock(session, view, request.waitIfRunning());
                    locked.add(view);
                }
                var results = new ArrayList<RefreshResult>();
                for (var step : steps) {
                    if (stopping) {
                        throw new RefreshException(Reason.CANCELLED, step.view(), "Vista is stopping; " + step.view() + " was not refreshed", null, results, null);
                    }
                    try {
                        var result = refresh(session, step, request.trigger());
                        results.add(result);
                        progress.accept(result);
                    } catch (RefreshException e) {
                        throw e.after(results);
                    }
                }
                return results;
            } finally {
                synchronized (working) {
                    working.remove(connection);
                }
                release(connection, session, locked);
            }
        } catch (SQLException e) {
            throw new DataAccessException("could not get a connection to refresh " + request.view(), e);
        }
    }

    private void lock(DSLContext session, String view, boolean wait) {
        if (!wait) {
            if (!RefreshLock.tryLock(session, view)) {
                var holder = RefreshLock.holder(dsl, view);
                var message = "a refresh of " + view + " is already running" + holder.map(h -> ", by " + h.describe()).orElse(" (it just finished; try again)");
                throw new RefreshException(Reason.BUSY, view, message, holder.orElse(null), List.of(), null);
            }
            return;
        }
        try {
            RefreshLock.lock(session, view);
        } catch (DataAccessException e) {
            if ("57014".equals(e.sqlState())) {
                throw new RefreshException(Reason.TIMEOUT, view, "waited " + timeoutText() + " (the refresh timeout) for another refresh of "
                        + view + " to finish", RefreshLock.holder(dsl, view).orElse(null), List.of(), e);
            }
            throw e;
        }
    }

    private static void release(Connection connection, DSLContext session, List<String> locked) {
        try {
            for (var view : locked) {
                RefreshLock.unlock(session, view);
            }
            session.execute("RESET statement_timeout");
            session.execute("RESET application_name");
        } catch (DataAccessException e) {
            // A session-level lock outlives a connection handed back to the pool, so a session that could not release
            // its locks is ended: PostgreSQL releases them with it, and the pool replaces the broken connection.
            LOG.warn("could not release the refresh locks of {}; closing its connection: {}", locked, e.getMessage());
            try {
                connection.abort(Runnable::run);
            } catch (SQLException aborted) {
                LOG.debug("could not abort the connection", aborted);
            }
        }
    }

    private RefreshResult refresh(DSLContext session, Step step, Trigger trigger) {
        var view = step.view();
        RefreshHistory.abandon(session, view);
        var entry = RefreshHistory.start(session, view, trigger, step.mode());
        var started = System.nanoTime();
        try {
            var file = Optional.ofNullable(files.get(view));
            var outcome = step.mode() == Mode.incremental ? incremental(session, file.orElseThrow(), entry.id(), started)
                    : materialized(session, step, file.flatMap(ViewFile::buckets).isPresent() ? file.get() : null, entry.id(), started);
            freshness.invalidate();
            var done = outcome.entry();
            var note = joinNotes(step.note(), outcome.note());
            metrics.refreshed(view, step.mode(), trigger, "succeeded", System.nanoTime() - started);
            LOG.info("refreshed {} ({}, {}) in {} ms: {} rows{}", view, step.mode(), trigger, done.durationMs(), done.rows(),
                    note == null ? "" : "; " + note);
            return new RefreshResult(view, step.mode(), trigger, done.startedAt(), done.finishedAt(), done.durationMs(), done.rows(),
                    done.watermark(), outcome.touchedBuckets(), note);
        } catch (DataAccessException e) {
            var millis = (System.nanoTime() - started) / 1_000_000;
            var reason = stopping ? Reason.CANCELLED : "57014".equals(e.sqlState()) ? Reason.TIMEOUT : Reason.FAILED;
            var message = switch (reason) {
                case CANCELLED -> "cancelled: Vista is stopping";
                case TIMEOUT -> "took longer than the refresh timeout (" + timeoutText() + ") and was cancelled";
                default -> postgresMessage(e);
            };
            RefreshHistory.fail(session, entry.id(), millis, message);
            metrics.refreshed(view, step.mode(), trigger, RefreshMetrics.outcome(reason), System.nanoTime() - started);
            LOG.warn("refresh of {} failed after {} ms: {}", view, millis, message);
            throw new RefreshException(reason, view, "refresh of " + view + " failed: " + message, null, List.of(), e);
        }
    }

    private record Outcome(RecordedRefresh entry, Integer touchedBuckets, String note) {
    }

    /** REFRESH MATERIALIZED VIEW [CONCURRENTLY], and its record, in one transaction. */
    private Outcome materialized(DSLContext session, Step step, ViewFile bucketed, long id, long started) {
        String note = null;
        Watermark watermark = null;
        if (bucketed != null) {
            var buckets = bucketed.buckets().orElseThrow();
            var fenced = BucketQueries.fence(session, buckets, fenceTimeout);
            watermark = fenced.orElseGet(() -> previousWatermark(session, step.view(), buckets));
            if (fenced.isEmpty()) {
                note = "inserts into " + buckets.table() + " held their locks longer than " + fenceTimeout.toMillis()
                        + " ms; kept the previous watermark";
            }
        }
        var mark = watermark;
        var entry = session.transactionResult(tx -> {
            var t = tx.dsl();
            t.execute(step.mode() == Mode.concurrent ? "REFRESH MATERIALIZED VIEW CONCURRENTLY {0}" : "REFRESH MATERIALIZED VIEW {0}", name(step.view()));
            var rows = t.fetchCount(table(name(step.view())));
            return RefreshHistory.succeed(t, id, (System.nanoTime() - started) / 1_000_000, rows, mark);
        });
        return new Outcome(entry, null, note);
    }

    /**
     * Recomputes the buckets that rows above the last watermark fall in, and replaces them, in one REPEATABLE READ
     * transaction: readers see the old rows until it commits and never wait. Everything is recomputed when there is
     * no usable watermark (first refresh, table truncated since) or the table is empty.
     */
    private Outcome incremental(DSLContext session, ViewFile file, long id, long started) {
        var buckets = file.buckets().orElseThrow();
        var previous = previousWatermark(session, file.name(), buckets);
        var fenced = BucketQueries.fence(session, buckets, fenceTimeout);
        var watermark = fenced.or(() -> Optional.ofNullable(previous)).orElse(null);
        var note = fenced.isEmpty() ? "inserts into " + buckets.table() + " held their locks longer than " + fenceTimeout.toMillis()
                + " ms; kept the previous watermark" : null;
        var storage = table(name(ViewFile.INCREMENTAL_SCHEMA, file.name()));
        return session.transactionResult(tx -> {
            var t = tx.dsl();
            t.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            Integer touched = null;
            if (previous == null || !t.fetchExists(storage)) {
                BucketQueries.replaceAll(t, storage, file);
            } else {
                touched = BucketQueries.touchedCount(t, buckets, previous.id());
                if (touched > 0) {
                    BucketQueries.replaceTouched(t, storage, file, previous.id());
                }
            }
            var rows = t.fetchCount(storage);
            var entry = RefreshHistory.succeed(t, id, (System.nanoTime() - started) / 1_000_000, rows, watermark);
            return new Outcome(entry, touched, joinNotes(note, touched == null ? "no usable watermark: recomputed every bucket" : null));
        });
    }

    /** The last recorded watermark of a view, if the table it counts rows of is still the same file. */
    private static Watermark previousWatermark(DSLContext session, String view, ViewFile.Buckets buckets) {
        var current = session.select(BucketQueries.filenode(buckets)).fetchOne(0, Long.class);
        return RefreshHistory.lastSuccess(session, view)
                .filter(e -> e.watermark() != null && e.baseFilenode() != null && e.baseFilenode().equals(current))
                .map(e -> new Watermark(e.watermark(), e.baseFilenode()))
                .orElse(null);
    }

    private String timeoutText() {
        return Durations.format(timeout);
    }

    private static void setting(DSLContext session, String name, String value) {
        session.select(function("set_config", String.class, val(name), val(value), val(false))).fetch();
    }

    private static String postgresMessage(DataAccessException e) {
        var sql = e.getCause(SQLException.class);
        var message = sql != null ? sql.getMessage() : e.getMessage();
        return message == null ? "unknown error" : message.replaceFirst("^ERROR: ", "").strip();
    }

    private static String joinNotes(String a, String b) {
        return a == null ? b : b == null ? a : a + "; " + b;
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }
}
