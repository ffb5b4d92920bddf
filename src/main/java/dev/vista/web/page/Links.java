package dev.vista.web.page;

import dev.vista.report.ReportQuery;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The URLs pages link to, all written from a {@link ReportQuery} by {@link ReportQuery#parameters}: a page's link is a
 * URL the API answers with the same rows ({@code /reports/x?q} and {@code /api/reports/x?q}), and it survives being
 * shared. Parameters are encoded as little as RFC 3986 allows, so that {@code section=in.(index,settings)} stays
 * readable in the address bar.
 */
public final class Links {

    /** What CSV does not take from a page's query: it is the whole result, and counts nothing. */
    private static final Set<String> NOT_FOR_CSV = Set.of("limit", "offset", "count");
    /** A page's URL is at most this long (the request line and headers take 8 KiB in all). */
    private static final int MAX_NEXT = 4096;

    private Links() {
    }

    public static String catalogue() {
        return "/";
    }

    public static String report(String report, ReportQuery query) {
        return "/reports/" + encode(report) + query(query.parameters());
    }

    public static String api(String report, ReportQuery query) {
        return "/api/reports/" + encode(report) + query(query.parameters());
    }

    /** The CSV of the same filters, order, columns and source: every row, no limit; {@code bom} for Excel. */
    public static String csv(String report, ReportQuery query, boolean bom) {
        var parameters = new ArrayList<>(query.parameters().stream().filter(p -> !NOT_FOR_CSV.contains(p.getKey())).toList());
        if (bom) {
            parameters.add(Map.entry("bom", "true"));
        }
        return "/api/reports/" + encode(report) + ".csv" + query(parameters);
    }

    /** The comparison of the sources for the same filters, over the whole result. */
    public static String compare(String report, ReportQuery query) {
        return "/reports/" + encode(report) + "/compare" + query(ReportQuery.all().withFilters(query.filters()).parameters());
    }

    public static String compareApi(String report, ReportQuery query) {
        return "/api/reports/" + encode(report) + "/compare" + query(ReportQuery.all().withFilters(query.filters()).parameters());
    }

    /** The sign-in page, which sends the browser on to {@code next} (a path on this site, see {@link #local}) once signed in. */
    public static String login(String next) {
        return next.equals("/") ? "/login" : "/login?next=" + encode(next);
    }

    /**
     * {@code next} when it is a path on this site, to send a browser on to: one {@code /}, then neither another nor a
     * backslash (which browsers read as one), and nothing but printable ASCII (browsers drop tabs and line breaks, so
     * {@code /<tab>/evil.example} would be {@code //evil.example}). Anything else ({@code //evil.example},
     * {@code https://evil.example}, {@code /\evil.example}, a relative path) is empty: an open redirect takes none of it.
     */
    public static Optional<String> local(String next) {
        if (next == null || next.length() > MAX_NEXT || !next.startsWith("/") || next.startsWith("//")) {
            return Optional.empty();
        }
        for (int i = 0; i < next.length(); i++) {
            var c = next.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '\\') {
                return Optional.empty();
            }
        }
        return Optional.of(next);
    }

    /** Where the filter form goes: it turns the form's fields into the report's canonical URL. */
    public static String filterForm(String report) {
        return "/reports/" + encode(report) + "/filter";
    }

    public static String query(List<Map.Entry<String, String>> parameters) {
        if (parameters.isEmpty()) {
            return "";
        }
        var query = new StringBuilder("?");
        for (var parameter : parameters) {
            if (query.length() > 1) {
                query.append('&');
            }
            query.append(encode(parameter.getKey())).append('=').append(encode(parameter.getValue()));
        }
        return query.toString();
    }

    /** Percent-encodes all but letters, digits and {@code -._~(),*:!$@/} (a query's {@code &=+#%?;} and spaces are encoded). */
    static String encode(String text) {
        var out = new StringBuilder(text.length());
        for (var b : text.getBytes(StandardCharsets.UTF_8)) {
            var c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~(),*:!$@/".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
