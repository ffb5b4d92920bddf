package dev.vista.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.vista.csv.CsvExport;
import dev.vista.refresh.Freshness;
import dev.vista.report.JsonRows;
import dev.vista.report.Report;
import dev.vista.report.ReportQuery;
import dev.vista.report.ReportSelect;
import dev.vista.report.Reports;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.io.IOException;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EofException;
import org.jooq.Cursor;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;

/**
 * The report endpoints: the catalogue, a report's rows as JSON (PostgREST's query conventions), the
 * comparison of its sources, and the OpenAPI document. Parsing and querying live in {@code report/}.
 */
public final class ReportHandlers {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 10_000;
    static final String JSON = "application/json";
    static final String OBJECT = "application/vnd.pgrst.object+json";

    static final String CSV = "text/csv";

    private final Reports reports;
    private final CsvExport csv;
    private final Freshness freshness;
    private final Map<String, Object> openApi;

    public ReportHandlers(Reports reports, CsvExport csv, Freshness freshness) {
        this.reports = reports;
        this.csv = csv;
        this.freshness = freshness;
        this.openApi = OpenApiDocument.of(reports.catalogue(), DEFAULT_LIMIT, MAX_LIMIT);
    }

    /** GET /api/reports */
    public void list(Context ctx) {
        var populated = reports.populated();
        ctx.json(reports.catalogue().all().stream().map(report -> CatalogueEntry.of(report, populated, refreshed(report))).toList());
    }

    /** GET /api/reports/{name}: JSON rows, or one row as an object; {@code Prefer: count=exact} adds Content-Range. */
    public void rows(Context ctx) throws IOException {
        var name = ctx.pathParam("name");
        if (name.endsWith(".csv")) {
            csv(ctx, reports.report(name.substring(0, name.length() - ".csv".length())));
            return;
        }
        var report = reports.report(name);
        if (wantsCsv(ctx.header(Header.ACCEPT))) {
            csv(ctx, report);
            return;
        }
        var single = wantsSingleObject(ctx.header(Header.ACCEPT));
        var params = new LinkedHashMap<>(ctx.queryParamMap());
        var realtime = params.remove("realtime");
        var query = ReportQuery.parse(params).withLimitAtMost(DEFAULT_LIMIT, MAX_LIMIT);
        var select = fresh(ctx, ReportSelect.of(report, query), realtime);
        reports.stream(select, prefersExactCount(ctx), (total, cursor) -> {
            total.ifPresent(count -> contentRange(ctx, query, count));
            if (single) {
                return writeSingleObject(ctx, cursor);
            }
            ctx.contentType(JSON);
            return JsonRows.write(cursor, ctx.outputStream());
        });
    }

    /**
     * GET /api/reports/{name}.csv (or {@code Accept: text/csv}): the same filters, select, order and source as
     * JSON, no row limit unless one is given, streamed from PostgreSQL's COPY. {@code raw=true} turns off the
     * formula guard, {@code bom=true} adds a UTF-8 byte order mark for Excel; gzip when the client accepts it.
     *
     * <p>An error before the first byte is a JSON error with its status. After it, the status line has gone,
     * so the response is aborted: the client sees a broken transfer (no final chunk), never a short file that
     * looks complete.
     */
    void csv(Context ctx, Report report) throws IOException {
        var params = new LinkedHashMap<>(ctx.queryParamMap());
        var options = new CsvExport.Options(flag(params.remove("raw"), "raw"), flag(params.remove("bom"), "bom"));
        var realtime = params.remove("realtime");
        var select = fresh(ctx, ReportSelect.of(report, ReportQuery.parse(params)), realtime);
        ctx.contentType(CSV + "; charset=utf-8");
        ctx.header(Header.CONTENT_DISPOSITION, "attachment; filename=\"" + report.name() + "-" + LocalDate.now(ZoneOffset.UTC) + ".csv\"");
        try {
            csv.write(select.rows(), options, ctx.outputStream());
        } catch (EofException clientGone) {
            throw clientGone; // Javalin records a client abort; the COPY was cancelled
        } catch (IOException | SQLException | RuntimeException e) {
            if (!ctx.res().isCommitted()) {
                ctx.res().resetBuffer();
                ctx.res().setHeader(Header.CONTENT_DISPOSITION, null);
                throw e instanceof SQLException sql ? new DataAccessException(sql.getMessage(), sql) : asRuntime(e);
            }
            ServletContextRequest.getServletContextRequest(ctx.req()).getServletChannel().abort(e);
        }
    }

    /**
     * Rows read from a materialized view (or an incremental aggregate) carry Last-Modified and X-Data-Age; with
     * {@code realtime=true}, a report with declared buckets is read as of now (see refresh/Freshness).
     */
    private ReportSelect fresh(Context ctx, ReportSelect select, List<String> realtime) {
        var flag = realtime == null || realtime.isEmpty() ? null : realtime.getLast();
        var stored = select.source().relation().flatMap(reports.catalogue()::find)
                .filter(r -> r.kind() == Report.Kind.materialized_view || freshness.tracks(r.name()));
        if (stored.isEmpty()) {
            if ("true".equals(flag)) {
                throw ApiException.badRequest("realtime_unsupported", "source '" + select.source().name() + "' of report '"
                        + select.report().name() + "' is computed live already; realtime=true applies to stored sources", null);
            }
            return select;
        }
        var table = stored.get().table();
        var served = freshness.serve(table, flag, ctx::header);
        if (served == table) {
            return select;
        }
        var source = select.source();
        return select.on(new Report.Source(source.name(), served.as(select.report().name()), source.relation()));
    }

    /** Freshness of the stored relation behind a report, if any, for the catalogue. */
    private Map<String, Object> refreshed(Report report) {
        var relation = report.materializedView().flatMap(reports.catalogue()::find).orElse(report);
        @SuppressWarnings("unchecked")
        var annotated = (Map<String, Object>) freshness.annotate(relation, new LinkedHashMap<>()).get("freshness");
        return annotated;
    }

    private static RuntimeException asRuntime(Exception e) {
        return e instanceof RuntimeException r ? r : new DataAccessException(e.getMessage(), e);
    }

    private static boolean flag(List<String> values, String name) {
        if (values == null || values.isEmpty()) {
            return false;
        }
        return switch (values.getLast()) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest("invalid_parameter", name + " must be true or false, got '" + values.getLast() + "'", null);
        };
    }

    static boolean wantsCsv(String accept) {
        return accept != null && Arrays.stream(accept.split(",")).map(t -> t.split(";")[0].strip().toLowerCase()).anyMatch(CSV::equals);
    }

    /** PostgREST's {@code application/vnd.pgrst.object+json}: the one row as an object, 406 for none or several. */
    private static long writeSingleObject(Context ctx, Cursor<Record> cursor) throws IOException {
        var first = cursor.fetchNext();
        if (first == null || cursor.fetchNext() != null) {
            throw new ApiException(406, "not_one_row",
                    "a single object was asked for (Accept: " + OBJECT + ") but the query returns " + (first == null ? "no rows" : "more than one row"),
                    null, "filter the report down to exactly one row, e.g. by its key");
        }
        ctx.contentType(OBJECT + "; charset=utf-8");
        JsonRows.writeOne(cursor, first, ctx.outputStream());
        return 1;
    }

    /** GET /api/reports/{name}/compare: the same query on every source, with plans, times and a digest of the rows. */
    public void compare(Context ctx) {
        var report = reports.report(ctx.pathParam("name"));
        var query = ReportQuery.parse(ctx.queryParamMap());
        if (query.source().isPresent()) {
            throw ApiException.badRequest("invalid_parameter", "compare runs every source of " + report.name() + "; source does not apply here",
                    "drop source=" + query.source().get());
        }
        ctx.json(reports.compare(ReportSelect.of(report, query)));
    }

    /** GET /api/openapi.json */
    public void openApi(Context ctx) {
        ctx.json(openApi);
    }

    /** PostgREST's {@code Accept} handling: JSON unless one object is asked for; 406 for what we cannot write. */
    static boolean wantsSingleObject(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        var types = Arrays.stream(accept.split(",")).map(t -> t.split(";")[0].strip().toLowerCase()).toList();
        if (types.contains(OBJECT)) {
            return true;
        }
        if (types.stream().anyMatch(t -> t.equals(JSON) || t.equals("application/*") || t.equals("*/*"))) {
            return false;
        }
        throw new ApiException(406, "not_acceptable", "cannot answer with " + accept.strip(),
                Map.of("available", List.of(JSON, OBJECT, CSV)), "send Accept: " + JSON + " (rows), " + OBJECT + " (exactly one row) or " + CSV);
    }

    static boolean prefersExactCount(Context ctx) {
        return Collections.list(ctx.req().getHeaders(Header.PREFER)).stream()
                .flatMap(h -> Arrays.stream(h.split(",")))
                .anyMatch(p -> p.strip().equalsIgnoreCase("count=exact"));
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

    /** A report as the catalogue lists it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CatalogueEntry(String name, String title, String description, String kind, List<ColumnEntry> columns,
                                 List<String> sources, Map<String, Object> freshness, String url) {

        static CatalogueEntry of(Report report, Map<String, Boolean> populated, Map<String, Object> refreshed) {
            var freshness = report.materializedView()
                    .map(mv -> {
                        var entry = new LinkedHashMap<String, Object>();
                        entry.put("relation", mv);
                        entry.put("populated", populated.getOrDefault(mv, false));
                        if (refreshed != null) {
                            entry.putAll(refreshed);
                        }
                        return (Map<String, Object>) entry;
                    })
                    .orElse(refreshed);
            return new CatalogueEntry(report.name(), report.title(), report.description(), report.kind().name(),
                    report.columns().stream().map(c -> new ColumnEntry(c.name(), c.type())).toList(),
                    report.sourceNames(), freshness, "/api/reports/" + report.name());
        }
    }

    public record ColumnEntry(String name, String type) {
    }


}
