package dev.vista.web;

import dev.vista.access.InvalidTokenException;
import dev.vista.refresh.RefreshException;
import dev.vista.report.InvalidQueryException;
import dev.vista.report.UnknownReportException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpResponseException;
import io.javalin.validation.ValidationException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.io.EofException;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become HTTP responses, with the right status and never a stack trace: a JSON
 * {@link ApiError} for the API, the same message as an error page for the pages ({@link PageHandlers#error}). Bad
 * queries are 400, unknown reports 404, statement timeouts 504, an unreachable or exhausted database and a read
 * cancelled by a conflict (40001) 503; a client that hangs up mid-stream gets nothing more.
 */
public final class Errors {

    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);
    static final String WWW_AUTHENTICATE = "WWW-Authenticate";

    private final PageHandlers pages;

    private Errors(PageHandlers pages) {
        this.pages = pages;
    }

    /** @param pages answers errors on page routes (and of browsers) with pages */
    public static void register(JavalinConfig config, PageHandlers pages) {
        var errors = new Errors(pages);
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorPages()));
        config.routes.exception(ApiException.class, (e, ctx) -> errors.write(ctx, e.status(), e.body()));
        config.routes.exception(InvalidQueryException.class, (e, ctx) ->
                errors.write(ctx, 400, new ApiError(e.code(), e.getMessage(), e.details(), e.hint()), e.parameter()));
        config.routes.exception(InvalidTokenException.class, errors::unauthorized);
        config.routes.exception(UnknownReportException.class, (e, ctx) ->
                errors.write(ctx, 404, new ApiError("unknown_report", e.getMessage(), null, "GET /api/reports lists them")));
        config.routes.exception(RefreshException.class, errors::refresh);
        config.routes.exception(UncheckedIOException.class, errors::io);
        config.routes.exception(EofException.class, (e, ctx) -> clientGone(ctx));
        config.routes.exception(HttpResponseException.class, (e, ctx) ->
                errors.write(ctx, e.getStatus(), new ApiError(codeFor(e.getStatus()), e.getMessage(), null, null)));
        config.routes.exception(ValidationException.class, (e, ctx) ->
                errors.write(ctx, 400, new ApiError("invalid_parameter", "invalid query parameter", e.getErrors(), null)));
        config.routes.exception(DataAccessException.class, errors::database);
        config.routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
            errors.write(ctx, 500, new ApiError("internal_error", "an unexpected error occurred; it has been logged", null, null));
        });
    }

    private void database(DataAccessException e, Context ctx) {
        var state = e.sqlState();
        var transientConnection = e.getCause(SQLTransientConnectionException.class) != null;
        if ("42501".equals(state)) {
            // insufficient_privilege: the caller's role may not read something the query needs (e.g. realtime=true's base table)
            write(ctx, 403, new ApiError("permission_denied", "the role this request runs as may not read what this query needs",
                    null, "ask for the report without realtime or another source, or for a GRANT"));
        } else if ("57014".equals(state)) {
            write(ctx, 504, new ApiError("statement_timeout", "the query took longer than the statement timeout and was cancelled",
                    null, "narrow the report with filters, or read it from a materialized source"));
        } else if ("40001".equals(state)) {
            // on a hot standby: a conflict with recovery cancelled the read, after its answer had begun or on the
            // primary too (before, the primary answers it instead); a retry finds a fresh snapshot
            write(ctx, 503, new ApiError("read_conflict", "the read was cancelled by a conflict with concurrent changes"
                    + " (on a hot standby: with the replay of the primary's changes); try again", Map.of("sqlstate", state), null));
        } else if (state != null && state.startsWith("22")) {
            // a data exception: a value that parsed as its Java type but that PostgreSQL cannot take (e.g. out of range)
            write(ctx, 400, new ApiError("invalid_value", "a value in the query is out of range for its column",
                    Map.of("sqlstate", state), "check the filter values against the column types listed by GET /api/reports"));
        } else if (transientConnection || state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P"))) {
            write(ctx, 503, new ApiError("database_unavailable", "the database is unreachable or busy; try again shortly", null, null));
        } else {
            LOG.error("database error on {} {}", ctx.method(), ctx.path(), e);
            var sql = e.getCause(SQLException.class);
            write(ctx, 500, new ApiError("database_error", "the database could not answer this request", sql == null ? null : sql.getSQLState(), null));
        }
    }

    /**
     * 401 with RFC 6750's challenge; a page says so and links to the sign-in page, which comes back to it once signed in.
     */
    private void unauthorized(InvalidTokenException e, Context ctx) {
        ctx.header(WWW_AUTHENTICATE, challenge(e));
        var error = new ApiError(e.kind() == InvalidTokenException.Kind.INVALID ? "invalid_token" : "unauthorized", e.getMessage(), null,
                "send 'Authorization: Bearer <token>' with a token signed for this Vista (vista token --role ROLE prints one)");
        if (!page(ctx, () -> pages.unauthorized(ctx, e))) {
            ctx.status(401).json(error);
        }
    }

    /**
     * RFC 6750's challenge: {@code error="invalid_token"} when a token was sent and refused, none when there was no
     * token. The description is the exception's message, which never repeats the token.
     */
    static String challenge(InvalidTokenException e) {
        var challenge = "Bearer realm=\"vista\"";
        if (e.kind() == InvalidTokenException.Kind.INVALID) {
            challenge += ", error=\"invalid_token\", error_description=\"" + e.getMessage().replaceAll("[\"\\\\\\p{Cntrl}]", "'") + "\"";
        }
        return challenge;
    }

    /** A refresh refused or failed: the reason decides the status; what was refreshed before it is in the details. */
    private void refresh(RefreshException e, Context ctx) {
        var details = new LinkedHashMap<String, Object>();
        details.put("view", e.view());
        if (e.holder() != null) {
            details.put("running", e.holder());
        }
        if (!e.completed().isEmpty()) {
            details.put("refreshed", e.completed());
        }
        var error = switch (e.reason()) {
            case UNKNOWN_VIEW -> new ApiException(404, "unknown_view", e.getMessage(), details, "GET /api/views lists them");
            case NOT_MATERIALIZED -> new ApiException(400, "not_materialized", e.getMessage(), details, "GET /api/views lists what can be refreshed");
            case NO_UNIQUE_INDEX -> new ApiException(400, "concurrent_refresh_impossible", e.getMessage(), details,
                    "declare '-- vista:unique-index col, ...' in its file, or add fallback=true to refresh it without CONCURRENTLY");
            case NOT_POPULATED -> new ApiException(409, "not_populated", e.getMessage(), details,
                    "refresh it once without concurrently=true, or add fallback=true");
            case BUSY -> new ApiException(409, "refresh_running", e.getMessage(), details, "add wait=true to wait for it and refresh after it");
            case TIMEOUT -> new ApiException(504, "refresh_timeout", e.getMessage(), details, "raise VISTA_REFRESH_TIMEOUT");
            case CANCELLED -> new ApiException(503, "refresh_cancelled", e.getMessage(), details, null);
            case FAILED -> new ApiException(500, "refresh_failed", e.getMessage(), details, "the previous data is still served; GET /api/views shows the error");
        };
        write(ctx, error.status(), error.body());
    }

    /** Writing the response failed: the client went away mid-stream. Nothing left to answer; the transaction rolled back. */
    private void io(UncheckedIOException e, Context ctx) {
        if (e.getCause() instanceof EofException) {
            clientGone(ctx);
        } else {
            LOG.error("I/O error on {} {}", ctx.method(), ctx.path(), e);
            write(ctx, 500, new ApiError("internal_error", "an unexpected error occurred; it has been logged", null, null));
        }
    }

    private static void clientGone(Context ctx) {
        LOG.debug("client closed the connection during {} {}", ctx.method(), ctx.path());
    }

    private void write(Context ctx, int status, ApiError error) {
        write(ctx, status, error, null);
    }

    /** @param parameter the query parameter at fault, if one is: a page puts the message next to its field */
    private void write(Context ctx, int status, ApiError error, String parameter) {
        // an error is no answer to the query: none of its validators, which may be set already, go with it
        ctx.res().setHeader(Header.ETAG, null);
        ctx.res().setHeader(Header.LAST_MODIFIED, null);
        if (!page(ctx, () -> pages.error(ctx, status, error, parameter))) {
            ctx.status(status).json(error);
        }
    }

    /** Answers with {@code page} when the request is answered with pages; false when it is not, or the page failed. */
    private boolean page(Context ctx, Runnable page) {
        if (!pages.answersWithPage(ctx)) {
            return false;
        }
        try {
            page.run();
            return true;
        } catch (RuntimeException e) {
            LOG.error("could not render the error page for {} {}; answering with JSON", ctx.method(), ctx.path(), e);
            return false;
        }
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 409 -> "conflict";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 503 -> "unavailable";
            default -> "http_" + status;
        };
    }
}
