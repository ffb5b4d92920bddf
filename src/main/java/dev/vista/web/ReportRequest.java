package dev.vista.web;

import dev.vista.csv.CsvExport;
import dev.vista.report.Flag;
import dev.vista.report.ReportCatalogue;
import dev.vista.report.ReportQuery;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/reports/{name}[.csv]}, read once: the report, the format (from the suffix or {@code Accept}), the
 * query in PostgREST's syntax, CSV's output options and {@code Prefer: count=exact} (or {@code count=exact}). A JSON page gets the default
 * limit, and a limit over the maximum is an error rather than a silent cut.
 */
record ReportRequest(String report, Format format, ReportQuery query, CsvExport.Options csv, boolean exactCount) {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;
    static final String JSON = "application/json";
    static final String OBJECT = "application/vnd.pgrst.object+json";
    static final String CSV = "text/csv";

    /** CSV's own parameters; on a JSON request they are filters like any other parameter, and so unknown columns. */
    private static final Set<String> CSV_OPTIONS = Set.of("raw", "bom");

    enum Format {
        /** An array of row objects. */
        JSON,
        /** PostgREST's {@code application/vnd.pgrst.object+json}: exactly one row, as an object. */
        OBJECT,
        /** Every row (no limit unless asked), streamed from COPY. */
        CSV
    }

    /** The request's parts, checked in this order: the report exists (404), its format (406), its query (400). */
    /** What besides the query makes the response's bytes: for validators, which must differ when the bytes do. */
    String variant() {
        return format + " " + csv + " count=" + exactCount;
    }

    static ReportRequest parse(Context ctx, ReportCatalogue catalogue) {
        var name = ctx.pathParam("name");
        var suffixed = name.endsWith(".csv");
        var report = catalogue.get(suffixed ? name.substring(0, name.length() - ".csv".length()) : name).name();
        var accept = ctx.header(Header.ACCEPT);
        var format = suffixed || wantsCsv(accept) ? Format.CSV : wantsSingleObject(accept) ? Format.OBJECT : Format.JSON;
        var params = ctx.queryParamMap();
        if (format == Format.CSV) {
            var options = new CsvExport.Options(Flag.parse("raw", params.get("raw")), Flag.parse("bom", params.get("bom")));
            return new ReportRequest(report, format, ReportQuery.parse(params, CSV_OPTIONS), options, false);
        }
        var query = page(ReportQuery.parse(params));
        return new ReportRequest(report, format, query, CsvExport.Options.DEFAULT, query.exactCount() || prefersExactCount(ctx));
    }

    /**
     * The query of a page of JSON rows, and so of the report page asked the same: the default limit when none is
     * given, and a limit over the maximum refused.
     */
    static ReportQuery page(ReportQuery asked) {
        return asked.withLimitAtMost(DEFAULT_LIMIT, MAX_LIMIT);
    }

    private static boolean wantsCsv(String accept) {
        return types(accept).contains(CSV);
    }

    /** PostgREST's {@code Accept} handling: JSON unless one object is asked for; 406 for what we cannot write. */
    private static boolean wantsSingleObject(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        var types = types(accept);
        if (types.contains(OBJECT)) {
            return true;
        }
        if (types.stream().anyMatch(t -> t.equals(JSON) || t.equals("application/*") || t.equals("*/*"))) {
            return false;
        }
        throw new ApiException(406, "not_acceptable", "cannot answer with " + accept.strip(),
                Map.of("available", List.of(JSON, OBJECT, CSV)), "send Accept: " + JSON + " (rows), " + OBJECT + " (exactly one row) or " + CSV);
    }

    private static List<String> types(String accept) {
        return accept == null ? List.of() : Arrays.stream(accept.split(",")).map(t -> t.split(";")[0].strip().toLowerCase()).toList();
    }

    private static boolean prefersExactCount(Context ctx) {
        return Collections.list(ctx.req().getHeaders(Header.PREFER)).stream()
                .flatMap(h -> Arrays.stream(h.split(",")))
                .anyMatch(p -> p.strip().equalsIgnoreCase("count=exact"));
    }
}
