package dev.vista.report;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.inline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.OrderField;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.impl.DSL;

/**
 * Vista's reports for Java code, no HTTP involved: the catalogue, and reads that run the way the HTTP API
 * runs them, in a read-only transaction bounded by the statement timeout.
 *
 * <pre>{@code
 * var top = reports.rows("visits_summary", ReportQuery.parse("section=eq.dashboard&order=visits.desc&limit=10"))
 *         .into(VISITS_SUMMARY);   // typed VisitsSummaryRecords
 * }</pre>
 */
public final class Reports {

    /** Rows fetched from PostgreSQL per round trip while streaming: bounded memory, few round trips. */
    public static final int FETCH_SIZE = 1000;

    private final DSLContext dsl;
    private final ReportCatalogue catalogue;
    private final Duration statementTimeout;
    private final boolean readOnlySessions;

    /** Reports read through {@code dsl}, each read in a read-only transaction that sets the statement timeout. */
    public Reports(DSLContext dsl, ReportCatalogue catalogue, Duration statementTimeout) {
        this(dsl, catalogue, statementTimeout, false);
    }

    /**
     * Reports read through connections whose sessions are read-only with the statement timeout already set
     * ({@link dev.vista.database.ReaderPool}), so a page that fits one fetch runs as a single statement.
     */
    public static Reports onReadOnlySessions(DSLContext readers, ReportCatalogue catalogue, Duration statementTimeout) {
        return new Reports(readers, catalogue, statementTimeout, true);
    }

    private Reports(DSLContext dsl, ReportCatalogue catalogue, Duration statementTimeout, boolean readOnlySessions) {
        this.dsl = dsl;
        this.catalogue = catalogue;
        this.statementTimeout = statementTimeout;
        this.readOnlySessions = readOnlySessions;
    }

    public ReportCatalogue catalogue() {
        return catalogue;
    }

    /** The report of that name, or {@link UnknownReportException}. */
    public Report report(String name) {
        return catalogue.get(name);
    }

    /** The query for a report, checked against its columns; {@link InvalidQueryException} when it cannot be asked. */
    public ReportSelect select(String report, ReportQuery query) {
        return ReportSelect.of(report(report), query);
    }

    /** All rows a query asks for, in memory: for Java callers that know their result is small (set a limit). */
    public Result<Record> rows(String report, ReportQuery query) {
        var select = select(report, query);
        return read(t -> t.fetch(select.rows()));
    }

    /** How many rows match a query's filters, ignoring its paging. */
    public int count(String report, ReportQuery query) {
        var select = select(report, query);
        return read(t -> t.fetchValue(select.count()));
    }

    /** A page of rows as it streams: the total (when asked for) and an open cursor. */
    @FunctionalInterface
    public interface RowsWriter<T> {
        T write(OptionalLong total, Cursor<Record> rows) throws IOException;
    }

    /**
     * Runs a query and hands its rows to {@code writer} as a cursor, {@link #FETCH_SIZE} rows at a time, so a
     * large result never sits whole in memory. The statement has run (and failed, if it fails) before
     * {@code writer} is called, so a caller can still choose its response status. The count, when asked for,
     * reads the same snapshot as the rows.
     */
    public <T> T stream(ReportSelect select, boolean countTotal, RowsWriter<T> writer) {
        if (readOnlySessions && !countTotal && select.query().limit().orElse(Long.MAX_VALUE) <= FETCH_SIZE) {
            // A page that fits one fetch needs no cursor, and the session is read-only with its timeout already:
            // one statement in autocommit, one round trip.
            return write(dsl, select.rows(), OptionalLong.empty(), writer);
        }
        return read(t -> {
            var total = countTotal ? OptionalLong.of(t.fetchValue(select.count())) : OptionalLong.empty();
            return write(t, select.rows().fetchSize(FETCH_SIZE), total, writer);
        });
    }

    private static <T> T write(DSLContext dsl, ResultQuery<Record> rows, OptionalLong total, RowsWriter<T> writer) {
        try (var cursor = dsl.fetchLazy(rows)) {
            return writer.write(total, cursor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the query on every source of its report and compares plans, times and results. */
    public SourceComparison compare(ReportSelect select) {
        return read(t -> SourceComparison.run(t, select));
    }

    /**
     * Whether each materialized view holds data ({@code pg_matviews.ispopulated}), by name. Refresh history
     * (when, how long, errors) is kept elsewhere; this is what PostgreSQL itself knows.
     */
    public Map<String, Boolean> populated() {
        var matviews = table(name("pg_catalog", "pg_matviews"));
        var view = field(name("matviewname"), String.class);
        var populated = field(name("ispopulated"), Boolean.class);
        return read(t -> t.select(view, populated).from(matviews)
                .where(field(name("schemaname"), String.class).eq(DSL.currentSchema()))
                .fetchMap(view, populated));
    }

    /**
     * Runs {@code work} in a read-only transaction whose statements are cancelled after the statement timeout.
     * Repeatable read: a count and the rows it counts, or the sources of a comparison, see the same data.
     */
    public <T> T read(Function<DSLContext, T> work) {
        return dsl.transactionResult(tx -> {
            var t = tx.dsl();
            // one round trip for both settings: a 100-row page costs a few round trips in all, each one counts
            t.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL statement_timeout = {0}",
                    inline(Math.max(1, statementTimeout.toMillis())));
            return work.apply(t);
        });
    }

    /** A stable order for a report: its key (the synthetic primary key of its view) or else its columns. */
    public static List<OrderField<?>> defaultOrder(Report report) {
        return List.copyOf(report.keyFields());
    }
}
