package dev.vista.report;

import dev.vista.access.Caller;
import dev.vista.database.ReadPlace;
import dev.vista.database.ReadSessions;
import dev.vista.database.Standbys;
import dev.vista.generated.DefaultSchema;
import dev.vista.migrate.ChangelogSource;
import dev.vista.refresh.Freshness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Vista's reports for Java code, no HTTP involved: the catalogue, and reads that run the way the HTTP API
 * runs them, in read-only sessions bounded by the statement timeout ({@link ReadSessions}).
 *
 * <pre>{@code
 * var top = reports.rows("visits_summary", ReportQuery.parse("section=eq.dashboard&order=visits.desc&limit=10"))
 *         .into(VISITS_SUMMARY);   // typed VisitsSummaryRecords
 * }</pre>
 *
 * <p>Where rows come from is decided here: the query's {@code source}, and for stored sources (a materialized view,
 * an incremental aggregate) how old they are and, with {@code realtime}, their rows as of now.
 *
 * <p>{@link #as} gives the reports as a {@link Caller} sees them: every read runs as the caller's role, and the
 * catalogue holds only the reports (and sources) that role may SELECT from, so a report it may not read is unknown
 * ({@link UnknownReportException}) everywhere. Freshness is read as Vista, never as the caller.
 *
 * <p>With hot standbys ({@link ReadSessions#readingFrom}), reads run on one where one is fit, and an answer says how
 * old its rows are as that standby sees it, and how far behind it was ({@link Provenance}). Real-time reads run on the
 * primary: they are exact as of now, and now is the primary's (the watermark they rely on is the primary's too).
 */
public final class Reports {

    /** Rows fetched from PostgreSQL per round trip while streaming: bounded memory, few round trips. */
    public static final int FETCH_SIZE = 1000;

    /** Wraps a statement's rows, run over JDBC, in a cursor of typed fields: no connection of its own. */
    private static final DSLContext RESULTS = DSL.using(SQLDialect.POSTGRES);

    private final ReadSessions reads;
    private final ReportCatalogue all;
    private final ReportCatalogue catalogue;
    private final Freshness freshness;
    private final Privileges privileges;
    /** The relations the caller may SELECT from; null for the connection's own role, which reads everything. */
    private final Set<String> readable;
    /** Shared by every caller's view of these reports; keyed by caller. */
    private final StoredAggregates aggregates;
    /** Shared too: the SQL of a query's shape does not depend on who asks. */
    private final RenderedSelects rendered;

    /** @param privileges what roles may read, asked as Vista: used by {@link #as} */
    public Reports(ReadSessions reads, ReportCatalogue catalogue, Freshness freshness, Privileges privileges) {
        this(reads, catalogue, catalogue, freshness, privileges, null, new StoredAggregates(), new RenderedSelects());
    }

    private Reports(ReadSessions reads, ReportCatalogue all, ReportCatalogue catalogue, Freshness freshness, Privileges privileges,
                    Set<String> readable, StoredAggregates aggregates, RenderedSelects rendered) {
        this.reads = reads;
        this.all = all;
        this.catalogue = catalogue;
        this.freshness = freshness;
        this.privileges = privileges;
        this.readable = readable;
        this.aggregates = aggregates;
        this.rendered = rendered;
    }

    /**
     * The reports of the generated schema over {@code dataSource}, for Java code outside the app: db/views from
     * Vista's own jar, each read in a read-only transaction with {@code statementTimeout}.
     */
    public static Reports of(DataSource dataSource, Duration statementTimeout) {
        var files = ChangelogSource.classpath().viewFiles();
        var dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
        return new Reports(ReadSessions.on(dataSource, statementTimeout), ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, files),
                new Freshness(dsl, files), new Privileges(dsl));
    }

    /**
     * These reports as {@code caller} sees them: reads run as its role (PostgreSQL's grants and row-level security
     * decide what they return), and only what the role may SELECT from is listed. Cheap: what a role may read is
     * cached. {@link dev.vista.access.InvalidTokenException} when the role is not one requests may run as.
     */
    public Reports as(Caller caller) {
        if (caller.isConnection()) {
            return new Reports(reads.as(caller), all, all, freshness, privileges, null, aggregates, rendered);
        }
        var relations = privileges.readable(caller.role().orElseThrow());
        return new Reports(reads.as(caller), all, all.readableWith(relations), freshness, privileges, relations, aggregates, rendered);
    }

    /** Whether the caller may SELECT from {@code relation} (of the current schema); the connection's own role may read all. */
    public boolean mayRead(String relation) {
        return readable == null || readable.contains(relation);
    }

    /** The reports the caller may read (all of them for the connection's own role). */
    public ReportCatalogue catalogue() {
        return catalogue;
    }

    /** The report of that name, or {@link UnknownReportException}. */
    public Report report(String name) {
        return catalogue.get(name);
    }

    /**
     * A query ready to run: checked against the report's columns ({@link InvalidQueryException} when it cannot be
     * asked), its source chosen, and for a stored source the age of its rows; with {@code realtime}, the stored rows
     * as of now (a source that declares its buckets only).
     */
    public ReportRead prepare(String report, ReportQuery query) {
        var select = ReportSelect.of(report(report), query);
        var stored = select.source().relation().flatMap(catalogue::find).filter(r -> r.kind().stored());
        if (stored.isEmpty()) {
            if (query.realtime()) {
                throw new InvalidQueryException("realtime_unsupported", "realtime", "source '" + select.source().name() + "' of report '"
                        + report + "' is computed live already; realtime=true applies to stored sources",
                        InvalidQueryException.details("parameter", "realtime", "source", select.source().name()), null);
            }
            return new ReportRead(select, Optional.empty(), false);
        }
        var relation = stored.get();
        if (!query.realtime()) {
            var refreshed = lastRefreshed(relation.name());
            return new ReportRead(select, refreshed, refreshed.isPresent());
        }
        var live = freshness.realtime(relation.table()).orElseThrow(() -> new InvalidQueryException("realtime_unsupported", "realtime",
                "report '" + relation.name() + "' cannot be served in real time",
                InvalidQueryException.details("parameter", "realtime", "relation", relation.name()),
                "realtime=true works on materialized reports that declare '-- vista:watermark' and '-- vista:bucket': "
                        + String.join(", ", freshness.realtimeRelations())));
        var source = select.source();
        return new ReportRead(select.on(new Report.Source(source.name(), live.as(select.report().name()), source.relation())),
                Optional.of(OffsetDateTime.now(ZoneOffset.UTC)), false);
    }

    /** The query for a report, checked against its columns: {@link #prepare}'s select, e.g. to render it for COPY. */
    public ReportSelect select(String report, ReportQuery query) {
        return prepare(report, query).select();
    }

    /**
     * All rows a query asks for, in memory: for Java callers that know their result is small (set a limit). One
     * statement, so one round trip where the sessions allow it (see {@link ReadSessions#statement}).
     */
    public Result<Record> rows(String report, ReportQuery query) {
        var select = select(report, query);
        return reads.statement(t -> t.fetch(rendered.rows(select)));
    }

    /** How many rows match a query's filters, ignoring its paging; one statement, as {@link #rows} runs. */
    public int count(String report, ReportQuery query) {
        var select = select(report, query);
        return reads.statement(t -> t.fetchValue(select.count()));
    }

    /**
     * A page of rows as it streams: where they were read and how old they are there (for the headers, which go out
     * before the first byte), the total (when asked for) and an open cursor.
     */
    @FunctionalInterface
    public interface RowsWriter<T> {
        T write(Provenance provenance, OptionalLong total, Cursor<Record> rows) throws IOException;
    }

    /**
     * Runs a query and hands its rows to {@code writer} as a cursor, {@link #FETCH_SIZE} rows at a time, so a
     * large result never sits whole in memory. The statement has run (and failed, if it fails) before
     * {@code writer} is called, so a caller can still choose its response status. The count, when asked for,
     * reads the same snapshot as the rows.
     */
    public <T> T stream(ReportRead read, boolean countTotal, RowsWriter<T> writer) {
        var select = read.select();
        var answer = new Streamed(read);
        var sessions = sessionsFor(read);
        var text = rendered.text(select);
        if (!countTotal && select.query().limit().orElse(Long.MAX_VALUE) <= FETCH_SIZE) {
            // a page that fits one fetch needs no cursor: one statement, in one round trip where sessions allow it
            if (text.isPresent()) {
                return sessions.rows(answer, text.get(), select.rowsValues(), rows -> write(rows, select, OptionalLong.empty(), answer, writer));
            }
            return sessions.statement(answer, t -> write(t, select, text, false, OptionalLong.empty(), answer, writer));
        }
        return sessions.transaction(answer, t -> {
            var total = countTotal ? OptionalLong.of(t.fetchValue(select.count())) : OptionalLong.empty();
            return write(t, select, text, true, total, answer, writer);
        });
    }

    /**
     * Runs the rows of {@code select} ({@link #FETCH_SIZE} at a time when {@code streamed}) and hands them to the writer.
     * A shape whose SQL is kept ({@code text}, from {@link RenderedSelects}) runs as a plain JDBC statement, its values
     * bound in order: for a 100-row page, jOOQ's own execution (listeners, wrappers, binding, and the SQL it would
     * render) costs about as much as reading the rows; its cursor still gives the writer the report's typed fields.
     */
    private <T> T write(DSLContext dsl, ReportSelect select, Optional<String> text, boolean streamed, OptionalLong total, Streamed answer,
                        RowsWriter<T> writer) {
        if (text.isEmpty()) {
            var rows = streamed ? select.rows().fetchSize(FETCH_SIZE) : select.rows();
            try (var cursor = dsl.fetchLazy(rows)) {
                answer.begun = true; // the statement ran; from here on the writer may have written
                return writer.write(answer.provenance, total, cursor);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dsl.connectionResult(connection -> {
            try (var statement = connection.prepareStatement(text.get())) {
                if (streamed) {
                    statement.setFetchSize(FETCH_SIZE);
                }
                var values = select.rowsValues();
                for (int i = 0; i < values.size(); i++) {
                    statement.setObject(i + 1, values.get(i));
                }
                return write(statement.executeQuery(), select, total, answer, writer);
            } catch (SQLException e) {
                throw new DataAccessException(e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The rows of a kept shape's statement, run, to the writer as a cursor of the report's typed fields. */
    private <T> T write(ResultSet rows, ReportSelect select, OptionalLong total, Streamed answer, RowsWriter<T> writer) throws IOException {
        try (var cursor = RESULTS.fetchLazy(rows, select.fields().toArray(Field<?>[]::new))) {
            answer.begun = true; // the statement ran; from here on the writer may have written
            return writer.write(answer.provenance, total, cursor);
        }
    }

    /** A streamed read: where it runs decides its provenance; once its writer is called it cannot run again elsewhere. */
    private final class Streamed implements ReadSessions.Answer {
        private final ReportRead read;
        private Provenance provenance;
        private boolean begun;

        Streamed(ReportRead read) {
            this.read = read;
        }

        @Override
        public void readingOn(ReadPlace place) {
            provenance = provenance(read, place);
        }

        @Override
        public boolean begun() {
            return begun;
        }
    }

    /**
     * A report page's data for a prepared query: its rows (the same as {@link #stream} returns), the total, the facets
     * and the chart. The parts run side by side, each in its own read session, so the page takes about as long as its
     * slowest part; facets, chart and the count tried for a cheap total are each cut off after their time box and come
     * back marked as timed out (the total as the planner's estimate) rather than holding the page up. For stored rows
     * the parts are kept until the next refresh ({@link StoredAggregates}), so paging and sorting reuse them.
     */
    public Overview overview(ReportRead read, Overview.Bounds bounds) {
        var select = read.select();
        var plan = Chart.plan(select.report());
        try (var parallel = Executors.newVirtualThreadPerTaskExecutor()) {
            var facets = new ArrayList<Future<Facet>>();
            for (var column : Facet.columns(select.report())) {
                facets.add(part(parallel, read, "facet " + column.name(), select.query().withoutFiltersOn(column.name()).filters(),
                        () -> boxed(bounds.facet(), t -> Facet.of(column.name(), t.fetch(Facet.query(select, column))), () -> Facet.timedOut(column.name())),
                        facet -> !facet.timedOut()));
            }
            var chart = plan.shape() == Chart.Shape.NONE ? CompletableFuture.completedFuture(Chart.none(plan))
                    : part(parallel, read, "chart", select.query().filters(),
                            () -> boxed(bounds.chart(), t -> Chart.of(plan, t.fetch(Chart.query(plan, select))), () -> Chart.timedOut(plan)),
                            c -> !c.timedOut());
            var page = stream(read, false, (provenance, total, cursor) -> new Fetched(provenance, Rows.of(cursor)));
            var total = total(read, page.rows().size(), bounds);
            return new Overview(read, page.rows(), total, facets.stream().map(Reports::join).toList(), join(chart), bounds, page.provenance());
        }
    }

    /** A part of the page: kept (then at once), else computed on a thread of its own beside the others. */
    private <T> Future<T> part(ExecutorService parallel, ReportRead read, String part, List<ReportQuery.Filter> filters, Supplier<T> compute,
                               Predicate<T> keep) {
        var kept = key(read, part, filters).flatMap(aggregates::<T>find);
        return kept.isPresent() ? CompletableFuture.completedFuture(kept.get()) : parallel.submit(() -> kept(read, part, filters, compute, keep));
    }

    /**
     * When a stored relation was last refreshed, as the servers reads go to see it: the least fresh of the hot standbys
     * in use, so that an answer read on any of them is at least that fresh; the primary when none is.
     */
    private Optional<OffsetDateTime> lastRefreshed(String relation) {
        var inUse = reads.standbys().map(Standbys::inUse).orElse(List.of());
        return inUse.isEmpty() ? freshness.lastRefreshed(relation) : freshness.lastRefreshedOn(inUse, relation);
    }

    /**
     * What an answer of {@code read} says when its rows are read at {@code place}: stored rows are as of the last
     * refresh that server holds (on a standby, the last one it has replayed), and a standby says how far behind it
     * was. Rows computed live, or in real time (on the primary), are as {@link #prepare} found.
     */
    public Provenance provenance(ReportRead read, ReadPlace place) {
        var lag = place.standby().map(standby -> place.lag());
        if (!read.stored()) {
            return new Provenance(read.asOf(), lag);
        }
        var relation = read.select().source().relation().orElseThrow();
        var asOf = place.standby().map(standby -> freshness.lastRefreshedOn(standby, relation)).orElseGet(() -> freshness.lastRefreshed(relation));
        return new Provenance(asOf, lag);
    }

    /** Real-time reads run on the primary (see the class comment), every other read where the read sessions send it. */
    private ReadSessions sessionsFor(ReportRead read) {
        return read.select().query().realtime() ? reads.onPrimary() : reads;
    }

    private record Fetched(Provenance provenance, Rows rows) {
    }

    /**
     * How many rows match, ignoring paging, without an unbounded count on every page view: counted when the query
     * asks ({@code count=exact}); known from the page when it is the last one; else the planner's estimate, replaced
     * by a count when the estimate is below {@code countBelow} and the count fits in its time box.
     */
    private RowCount total(ReportRead read, int rowsOnPage, Overview.Bounds bounds) {
        var select = read.select();
        var query = select.query();
        if (query.exactCount()) {
            return kept(read, "count", query.filters(), () -> new RowCount(read(t -> t.fetchValue(select.count())), true), c -> true);
        }
        if (rowsOnPage > 0 || query.offset() == 0) {
            if (rowsOnPage < query.limit().orElse(Long.MAX_VALUE)) {
                return new RowCount(query.offset() + rowsOnPage, true);
            }
        }
        return kept(read, "total", query.filters(), () -> {
            double planned = read(t -> t.explain(select.unpaged()).rows());
            var estimate = Math.round(planned);
            if (estimate >= bounds.countBelow()) {
                return new RowCount(estimate, false);
            }
            return boxed(bounds.count(), t -> new RowCount(t.fetchValue(select.count()), true), () -> new RowCount(estimate, false));
        }, c -> c.exact() || planned(c, bounds));
    }

    /** An estimate is worth keeping when it is all there is (above countBelow), not when a count merely took too long. */
    private static boolean planned(RowCount count, Overview.Bounds bounds) {
        return count.value() >= bounds.countBelow();
    }

    /** A part of the page over {@code filters}: kept for stored rows until their next refresh, computed every time for live ones. */
    private <T> T kept(ReportRead read, String part, List<ReportQuery.Filter> filters, Supplier<T> compute, Predicate<T> keep) {
        var key = key(read, part, filters);
        return key.isPresent() ? aggregates.get(key.get(), compute, keep) : compute.get();
    }

    /** Where a part is kept: only for stored rows, which stay as they are until the next refresh. */
    private Optional<StoredAggregates.Key> key(ReportRead read, String part, List<ReportQuery.Filter> filters) {
        if (!read.keepsAggregates()) {
            return Optional.empty();
        }
        var select = read.select();
        return Optional.of(new StoredAggregates.Key(reads.caller(), select.report().name(), select.source().name(), part, filters, read.asOf().get()));
    }

    /** Runs {@code work} with a statement timeout of {@code box}; {@code timedOut} is the answer when it is cancelled. */
    private <T> T boxed(Duration box, Function<DSLContext, T> work, Supplier<T> timedOut) {
        try {
            return reads.transaction(box, work);
        } catch (DataAccessException e) {
            if (QUERY_CANCELED.equals(e.sqlState())) {
                return timedOut.get();
            }
            throw e;
        }
    }

    /** SQLState of a statement cancelled by its statement_timeout. */
    private static final String QUERY_CANCELED = "57014";

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading a report page", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Runs the query on every source of its report, in one snapshot, and compares plans, times and results. */
    public SourceComparison compare(String report, ReportQuery query) {
        return compare(report, query, provenance -> { });
    }

    /** As {@link #compare(String, ReportQuery)}, telling {@code readingOn} where it reads before it does (again, if retried). */
    public SourceComparison compare(String report, ReportQuery query, Consumer<Provenance> readingOn) {
        if (query.source().isPresent()) {
            throw new InvalidQueryException("invalid_parameter", "source", "compare runs every source of " + report + "; source does not apply here",
                    InvalidQueryException.details("parameter", "source", "value", query.source().get()), "drop source=" + query.source().get());
        }
        if (query.realtime()) {
            throw new InvalidQueryException("invalid_parameter", "realtime", "compare runs every source as it is stored; realtime does not apply here",
                    InvalidQueryException.details("parameter", "realtime"), "drop realtime");
        }
        // every source of the report is shown; one the caller may not read is marked so rather than run
        var select = ReportSelect.of(all.get(report(report).name()), query);
        var answer = new ReadSessions.Answer() {
            @Override
            public void readingOn(ReadPlace place) {
                readingOn.accept(new Provenance(Optional.empty(), place.standby().map(s -> place.lag())));
            }

            @Override
            public boolean begun() {
                return false; // the comparison is in memory until it returns
            }
        };
        return reads.transaction(answer, t -> SourceComparison.run(t, select, source -> readable == null || source.readableWith(readable)));
    }

    /**
     * How fresh the stored rows behind a report are (its own, or its materialized source's); empty for a live report.
     * With hot standbys in use, as the least fresh of them sees it: an answer is at least that fresh wherever it is read.
     */
    public Optional<Freshness.Summary> freshness(Report report) {
        var inUse = reads.standbys().map(Standbys::inUse).orElse(List.of());
        return freshness.summaryOn(inUse, report.materializedView().orElse(report.name()));
    }

    /** Runs {@code work} in a read-only, repeatable-read transaction bounded by the statement timeout: any jOOQ, read-only. */
    public <T> T read(Function<DSLContext, T> work) {
        return reads.transaction(work);
    }
}
