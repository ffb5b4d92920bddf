package dev.vista.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.vista.csv.CsvExport;
import dev.vista.database.ReadPlace;
import dev.vista.refresh.Freshness;
import dev.vista.report.JsonRows;
import dev.vista.report.Provenance;
import dev.vista.report.Report;
import dev.vista.report.ReportQuery;
import dev.vista.report.ReportRead;
import dev.vista.report.Reports;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EofException;
import org.jooq.Cursor;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;

/**
 * The report endpoints: the catalogue, a report's rows as JSON or CSV (PostgREST's query conventions), the
 * comparison of its sources, and the OpenAPI document. Each reads its request once, asks {@link Reports}, and
 * writes the answer; parsing of the query and the choice of source live in {@code report/}. Every answer is the
 * caller's: {@link Authentication} says who it is, and {@code reports.as(caller)} reads as its role and lists only
 * what that role may read.
 */
public final class ReportHandlers {

    /** Seconds a hot standby that served the rows was behind the primary, as last sampled; absent for rows read on the primary. */
    public static final String REPLICA_LAG = "X-Replica-Lag";

    /** HTTP-date (RFC 9110 section 5.6.7), e.g. "Tue, 03 Jun 2008 11:05:30 GMT". */
    static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final Reports all;
    private final CsvExport csvExport;
    private final Authentication authentication;
    private final KeptAnswers kept;
    /** The document of the whole catalogue (the connection's own role); a role's is built for its request. */
    private final Map<String, Object> openApi;

    /** @param kept answers of stored rows kept until a refresh ({@link KeptAnswers#NONE}: every answer read) */
    public ReportHandlers(Reports reports, CsvExport csv, Authentication authentication, KeptAnswers kept) {
        this.all = reports;
        this.csvExport = csv;
        this.authentication = authentication;
        this.kept = kept;
        this.openApi = OpenApiDocument.of(reports.catalogue(), ReportRequest.DEFAULT_LIMIT, ReportRequest.MAX_LIMIT);
    }

    /** GET /api/reports, pointing at the API's description and its documentation (RFC 8631 link relations). */
    public void list(Context ctx) {
        var reports = all.as(authentication.caller(ctx));
        ctx.header("Link", "</api/openapi.json>; rel=\"service-desc\", </api/docs>; rel=\"service-doc\"");
        ctx.json(reports.catalogue().all().stream().map(report -> CatalogueEntry.of(report, reports.freshness(report).orElse(null))).toList());
    }

    /**
     * GET /api/reports/{name}[.csv]: JSON rows, one row as an object, or CSV. Rows read from stored data carry
     * Last-Modified (their last refresh) and X-Data-Age (seconds since), and, until the next refresh, an ETag that
     * makes a repeated request a 304 ({@link ConditionalGet}); {@code Prefer: count=exact} adds Content-Range to JSON.
     * Rows read on a hot standby carry X-Replica-Lag (the seconds it was behind), and their validators are the
     * standby's: the refresh it holds, set again once the rows are read, before the first byte. A JSON answer of stored
     * rows read without a token is kept under its ETag and sent again, unread, until the next refresh ({@link KeptAnswers}).
     */
    public void rows(Context ctx) throws IOException {
        var caller = authentication.caller(ctx);
        var reports = all.as(caller);
        var request = ReportRequest.parse(ctx, reports.catalogue());
        var read = reports.prepare(request.report(), request.query());
        var queryTag = read.stored() ? ConditionalGet.query(read, request.variant() + ConditionalGet.caller(caller)) : null;
        freshness(ctx, read.asOf());
        if (ConditionalGet.answeredNotModified(ctx, read, queryTag)) {
            return;
        }
        var started = System.nanoTime();
        if (request.format() == ReportRequest.Format.CSV) {
            csv(ctx, request, read, csvExport.as(caller), started, place -> provenance(ctx, read, queryTag, reports.provenance(read, place)));
            return;
        }
        var keep = kept.keeps(read, authentication.tokenless(caller));
        if (keep) {
            var etag = ctx.res().getHeader(Header.ETAG);
            var sent = kept.sent(ctx, etag);
            if (sent.isPresent()) {
                served(ctx, request, read, sent.getAsLong(), started);
                return;
            }
            keep = !kept.holds(etag); // read anew: what is kept is these bytes already
        }
        var out = keep ? kept.copying(ctx.outputStream()) : ctx.outputStream();
        long rows = reports.stream(read, request.exactCount(), (provenance, total, cursor) -> {
            provenance(ctx, read, queryTag, provenance);
            total.ifPresent(count -> contentRange(ctx, request.query(), count));
            if (request.format() == ReportRequest.Format.OBJECT) {
                return writeSingleObject(ctx, cursor, out);
            }
            ctx.contentType(ReportRequest.JSON);
            return JsonRows.write(cursor, out);
        });
        if (out instanceof KeptAnswers.Copying copy) {
            kept.keep(ctx, copy, rows);
        }
        served(ctx, request, read, rows, started);
    }

    /**
     * The headers that say where an answer's rows come from and how old they are there, and its validators; set again
     * (when a standby's failure is answered by the primary) until the first byte.
     */
    private static void provenance(Context ctx, ReportRead read, String queryTag, Provenance provenance) {
        if (!provenance.asOf().equals(read.asOf())) { // set from read.asOf() already, as they stand
            freshness(ctx, provenance.asOf());
        }
        ctx.res().setHeader(REPLICA_LAG, provenance.replicaLag().map(ReportHandlers::seconds).orElse(null));
        if (read.stored()) {
            ctx.res().setHeader(Header.ETAG, provenance.asOf().map(asOf -> ConditionalGet.etag(queryTag, asOf)).orElse(null));
        }
    }

    private static void freshness(Context ctx, Optional<OffsetDateTime> asOf) {
        ctx.res().setHeader(Header.LAST_MODIFIED, asOf.map(HTTP_DATE::format).orElse(null));
        ctx.res().setHeader("X-Data-Age", asOf.map(t -> Long.toString(Math.max(0, Duration.between(t.toInstant(), Instant.now()).toSeconds())))
                .orElse(null));
    }

    /** Seconds, to the millisecond, as few digits as it takes: "0", "0.25", "31.2". */
    static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    private static void served(Context ctx, ReportRequest request, ReportRead read, long rows, long started) {
        RequestMetrics.served(ctx, request.report(), read.select().source().name(), request.format().name().toLowerCase(Locale.ROOT), rows, started);
    }

    /**
     * The same filters, select, order and source as JSON, no row limit unless one is given, streamed from
     * PostgreSQL's COPY; gzip when the client accepts it. Without order, limit or offset, rows come in the
     * database's order (see {@link dev.vista.report.ReportSelect#export()}).
     *
     * <p>An error before the first byte is a JSON error with its status. After it, the status line has gone,
     * so the response is aborted: the client sees a broken transfer (no final chunk), never a short file that
     * looks complete.
     */
    private static void csv(Context ctx, ReportRequest request, ReportRead read, CsvExport csv, long started, Consumer<ReadPlace> readingOn)
            throws IOException {
        ctx.contentType(ReportRequest.CSV + "; charset=utf-8");
        ctx.header(Header.CONTENT_DISPOSITION, "attachment; filename=\"" + request.report() + "-" + LocalDate.now(ZoneOffset.UTC) + ".csv\"");
        try {
            var rows = csv.write(read.select().export(), request.csv(), ctx.outputStream(), readingOn);
            served(ctx, request, read, rows, started);
        } catch (EofException clientGone) {
            throw clientGone; // Javalin records a client abort; the COPY was cancelled
        } catch (IOException | SQLException | RuntimeException e) {
            if (!ctx.res().isCommitted()) {
                ctx.res().resetBuffer();
                ctx.res().setHeader(Header.CONTENT_DISPOSITION, null);
                throw e instanceof RuntimeException r ? r : new DataAccessException(e.getMessage(), e);
            }
            ServletContextRequest.getServletContextRequest(ctx.req()).getServletChannel().abort(e);
        }
    }

    /** PostgREST's {@code application/vnd.pgrst.object+json}: the one row as an object, 406 for none or several. */
    private static long writeSingleObject(Context ctx, Cursor<Record> cursor, OutputStream out) throws IOException {
        var first = cursor.fetchNext();
        if (first == null || cursor.fetchNext() != null) {
            throw new ApiException(406, "not_one_row",
                    "a single object was asked for (Accept: " + ReportRequest.OBJECT + ") but the query returns "
                            + (first == null ? "no rows" : "more than one row"),
                    null, "filter the report down to exactly one row, e.g. by its key");
        }
        ctx.contentType(ReportRequest.OBJECT + "; charset=utf-8");
        JsonRows.writeOne(cursor, first, out);
        return 1;
    }

    /** GET /api/reports/{name}/compare: the same query on every source, with plans, times and a digest of the rows. */
    public void compare(Context ctx) {
        var reports = all.as(authentication.caller(ctx));
        var report = reports.report(ctx.pathParam("name"));
        ctx.json(reports.compare(report.name(), ReportQuery.parse(ctx.queryParamMap()),
                provenance -> ctx.res().setHeader(REPLICA_LAG, provenance.replicaLag().map(ReportHandlers::seconds).orElse(null))));
    }

    /** GET /api/openapi.json */
    public void openApi(Context ctx) {
        var caller = authentication.caller(ctx);
        ctx.json(caller.isConnection() ? openApi
                : OpenApiDocument.of(all.as(caller).catalogue(), ReportRequest.DEFAULT_LIMIT, ReportRequest.MAX_LIMIT));
    }

    /**
     * PostgREST's Content-Range: {@code first-last/total}, or {@code *}/total for an empty page. As in
     * PostgREST, 206 when the page is part of the result, 416 when the offset lies beyond it.
     */
    static void contentRange(Context ctx, ReportQuery query, long total) {
        var offset = query.offset();
        if (offset > total) {
            throw new ApiException(416, "range_not_satisfiable", "offset " + offset + " is beyond the " + total + " matching rows",
                    Map.of("total", total), "use an offset below " + total);
        }
        var rows = Math.min(query.limit().orElse(Long.MAX_VALUE), total - offset);
        ctx.header(Header.CONTENT_RANGE, (rows > 0 ? offset + "-" + (offset + rows - 1) : "*") + "/" + total);
        if (rows < total) {
            ctx.status(206);
        }
    }

    /** A report as the catalogue lists it; {@code freshness} is that of its stored rows (its own or its materialized source's). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CatalogueEntry(String name, String title, String description, String kind, List<ColumnEntry> columns,
                                 List<String> sources, Freshness.Summary freshness, String url) {

        static CatalogueEntry of(Report report, Freshness.Summary freshness) {
            return new CatalogueEntry(report.name(), report.title(), report.description(), report.kind().label(),
                    report.columns().stream().map(c -> new ColumnEntry(c.name(), c.type())).toList(),
                    report.sourceNames(), freshness, "/api/reports/" + report.name());
        }
    }

    public record ColumnEntry(String name, String type) {
    }
}
