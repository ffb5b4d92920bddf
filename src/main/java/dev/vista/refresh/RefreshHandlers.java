package dev.vista.refresh;

import dev.vista.web.ApiException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

// POST /api/admin/views/{name}/refresh and GET /api/views: refresh a view over HTTP, and how fresh each one is.
public final class RefreshHandlers {

    private final Refresher refresher;

    public RefreshHandlers(Refresher refresher) {
        this.refresher = refresher;
    }

    public void refresh(Context ctx) {
        var request = new RefreshRequest(ctx.pathParam("name"), flag(ctx, "concurrently"), flag(ctx, "cascade"), flag(ctx, "fallback"),
                flag(ctx, "wait"), Trigger.http);
        try {
            ctx.json(Map.of("refreshed", refresher.refresh(request)));
        } catch (RefreshException e) {
            throw toApi(e);
        }
    }

    public void views(Context ctx) {
        ctx.json(refresher.views());
    }

    /** "true" or "false"; a bare {@code ?wait} means true. Anything else is a 400, not a silent false. */
    private static boolean flag(Context ctx, String name) {
        var value = ctx.queryParam(name);
        return switch (value == null ? "false" : value) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest("invalid_parameter", name + " must be true or false, got '" + value + "'", null);
        };
    }

    static ApiException toApi(RefreshException e) {
        var details = new LinkedHashMap<String, Object>();
        details.put("view", e.view());
        if (e.holder() != null) {
            details.put("running", e.holder());
        }
        if (!e.completed().isEmpty()) {
            details.put("refreshed", e.completed());
        }
        return switch (e.reason()) {
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
    }
}
