package dev.vista.web;

import dev.vista.access.Caller;
import dev.vista.report.ReportRead;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Validators for answers read from stored rows (a materialized view or an incremental aggregate, not in real time):
 * those rows change only when the relation is refreshed, so a strong {@code ETag} made of the refresh's moment and
 * the exact query (the report, its columns, the source and every query parameter, and the response's format) tells a
 * client whether what it has is still the answer, and {@code If-None-Match} / {@code If-Modified-Since} get {@code 304 Not Modified} without reading the
 * view. {@code Cache-Control: no-cache} makes clients ask each time. Plain views and real-time reads are computed on
 * every request, so they get no validator: nothing cheap could say they did not change.
 *
 * <p>With hot standbys, a read's moment is the least fresh one of the standbys in use ({@link dev.vista.report.Reports#prepare}):
 * a 304 then says the client's copy is what any of them would answer, at least; an answer carries the validator of
 * the refresh its own standby holds, set again once it is known.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#section-13">RFC 9110, conditional requests</a>
 */
final class ConditionalGet {

    private ConditionalGet() {
    }

    /**
     * Sets the validators of a stored answer and answers 304 when the client's copy is current; true when it did, and
     * then there is nothing more to write. {@code query} is the answer's {@link #query} digest.
     */
    static boolean answeredNotModified(Context ctx, ReportRead read, String query) {
        if (!read.stored()) {
            return false;
        }
        var refreshed = read.asOf().orElseThrow();
        var etag = etag(query, refreshed);
        ctx.header(Header.ETAG, etag);
        var cacheControl = ctx.res().getHeader(Header.CACHE_CONTROL); // "private" when answers depend on the caller
        ctx.header(Header.CACHE_CONTROL, cacheControl == null ? "no-cache" : cacheControl + ", no-cache");
        var ifNoneMatch = ctx.header(Header.IF_NONE_MATCH);
        var current = ifNoneMatch != null
                ? matches(ifNoneMatch, etag)
                : notModifiedSince(ctx.header(Header.IF_MODIFIED_SINCE), refreshed.toInstant().truncatedTo(ChronoUnit.SECONDS));
        if (current) {
            notModified(ctx);
        }
        return current;
    }

    /** Answers 304: no content, so no header describing content, since a client updates its copy with a 304's headers (RFC 9111, 4.3.4). */
    static void notModified(Context ctx) {
        ctx.status(304).res().setContentType(null);
    }

    /**
     * What names an answer's bytes but its moment, digested once per request: the report and its columns, the source,
     * every query parameter, and {@code variant}, what else makes the bytes (format, options, role). Two requests with
     * the same digest ask the same of the same relation; that is all a validator needs (a client revalidates only the
     * URL it has), so this is the query's parameters, not its SQL: rendering that costs more than the rest of a page.
     */
    static String query(ReportRead read, String variant) {
        var select = read.select();
        var text = new StringBuilder();
        field(text, variant);
        field(text, select.report().name());
        select.report().columns().forEach(column -> field(text, column.name() + " " + column.type()));
        field(text, select.source().name());
        select.query().parameters().forEach(parameter -> field(field(text, parameter.getKey()), parameter.getValue()));
        return digest(text.toString());
    }

    /**
     * Who an answer was read as, for its {@link #query} variant: the role, and the token's claims, which row-level
     * security policies may read ({@code request.jwt.claims}), so two callers never share a validator unless they
     * would be answered alike.
     */
    static String caller(Caller caller) {
        return " role=" + caller.role().orElse("") + " claims=" + caller.claims();
    }

    /** The strong validator of a stored answer of the {@link #query} digest {@code query} whose rows are as of {@code refreshed}. */
    static String etag(String query, OffsetDateTime refreshed) {
        var instant = refreshed.toInstant();
        return "\"" + Long.toHexString(instant.getEpochSecond()) + "." + Integer.toHexString(instant.getNano()) + "-" + query + "\"";
    }

    /** A length-prefixed field: no two sequences of fields make the same text. */
    private static StringBuilder field(StringBuilder text, String value) {
        return text.append(value.length()).append(':').append(value);
    }

    /**
     * Whether an {@code If-None-Match} header names {@code etag} (or is {@code *}): the weak comparison, as RFC 9110
     * 13.1.2 has it, so {@code W/"x"} matches {@code "x"}. False when there is no header.
     */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        return Arrays.stream(ifNoneMatch.split(",")).map(String::strip)
                .anyMatch(tag -> tag.equals("*") || (tag.startsWith("W/") ? tag.substring(2) : tag).equals(etag));
    }

    /** If-Modified-Since counts only without If-None-Match (RFC 9110 13.1.3), and only when it parses. */
    private static boolean notModifiedSince(String header, java.time.Instant lastModified) {
        if (header == null) {
            return false;
        }
        try {
            return !lastModified.isAfter(ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String digest(String text) {
        return digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The first 16 bytes of the SHA-256 of {@code bytes}, in hex: what a strong validator of them needs. */
    static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
