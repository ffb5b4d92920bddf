package dev.vista.web;

import dev.vista.report.ReportRead;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * Validators for answers read from stored rows (a materialized view or an incremental aggregate, not in real time):
 * those rows change only when the relation is refreshed, so a strong {@code ETag} made of the refresh's moment and
 * the exact query (as SQL with its values, and the response's format) tells a client whether what it has is still
 * the answer, and {@code If-None-Match} / {@code If-Modified-Since} get {@code 304 Not Modified} without reading the
 * view. {@code Cache-Control: no-cache} makes clients ask each time. Plain views and real-time reads are computed on
 * every request, so they get no validator: nothing cheap could say they did not change.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#section-13">RFC 9110, conditional requests</a>
 */
final class ConditionalGet {

    private static final org.jooq.DSLContext RENDERER = DSL.using(SQLDialect.POSTGRES, new Settings().withRenderFormatted(false));

    private ConditionalGet() {
    }

    /**
     * Sets the validators of a stored answer and answers 304 when the client's copy is current; true when it did, and
     * then there is nothing more to write. {@code variant} is what else makes the response's bytes (format, options).
     */
    static boolean answeredNotModified(Context ctx, ReportRead read, String variant) {
        if (!read.stored()) {
            return false;
        }
        var refreshed = read.asOf().orElseThrow();
        var etag = "\"" + digest(refreshed.toInstant().toString() + "\n" + variant + "\n" + RENDERER.renderInlined(read.select().rows())) + "\"";
        ctx.header(Header.ETAG, etag);
        var cacheControl = ctx.res().getHeader(Header.CACHE_CONTROL); // "private" when answers depend on the caller
        ctx.header(Header.CACHE_CONTROL, cacheControl == null ? "no-cache" : cacheControl + ", no-cache");
        var ifNoneMatch = ctx.header(Header.IF_NONE_MATCH);
        var current = ifNoneMatch != null
                ? Arrays.stream(ifNoneMatch.split(",")).map(String::strip).anyMatch(tag -> tag.equals(etag) || tag.equals("*"))
                : notModifiedSince(ctx.header(Header.IF_MODIFIED_SINCE), refreshed.toInstant().truncatedTo(ChronoUnit.SECONDS));
        if (current) {
            ctx.status(304);
        }
        return current;
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
        try {
            var hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
