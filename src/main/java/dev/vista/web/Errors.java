package dev.vista.web;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.validation.ValidationException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become HTTP responses: always a JSON {@link ApiError} with the right
 * status, never a stack trace. Statement timeouts are 504, an unreachable or exhausted database is 503.
 */
public final class Errors {

    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {
    }

    public static void register(JavalinConfig config) {
        config.routes.exception(ApiException.class, (e, ctx) -> write(ctx, e.status(), e.body()));
        config.routes.exception(HttpResponseException.class, (e, ctx) ->
                write(ctx, e.getStatus(), new ApiError(codeFor(e.getStatus()), e.getMessage(), null, null)));
        config.routes.exception(ValidationException.class, (e, ctx) ->
                write(ctx, 400, new ApiError("invalid_parameter", "invalid query parameter", e.getErrors(), null)));
        config.routes.exception(DataAccessException.class, Errors::database);
        config.routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
            write(ctx, 500, new ApiError("internal_error", "an unexpected error occurred; it has been logged", null, null));
        });
    }

    private static void database(DataAccessException e, Context ctx) {
        var state = e.sqlState();
        var transientConnection = e.getCause(SQLTransientConnectionException.class) != null;
        if ("57014".equals(state)) {
            write(ctx, 504, new ApiError("statement_timeout", "the query took longer than the statement timeout and was cancelled",
                    null, "narrow the report with filters, or read it from a materialized source"));
        } else if (transientConnection || state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P"))) {
            write(ctx, 503, new ApiError("database_unavailable", "the database is unreachable or busy; try again shortly", null, null));
        } else {
            LOG.error("database error on {} {}", ctx.method(), ctx.path(), e);
            var sql = e.getCause(SQLException.class);
            write(ctx, 500, new ApiError("database_error", "the database could not answer this request", sql == null ? null : sql.getSQLState(), null));
        }
    }

    static void write(Context ctx, int status, ApiError error) {
        ctx.status(status).json(error);
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 409 -> "conflict";
            case 503 -> "unavailable";
            default -> "http_" + status;
        };
    }
}
