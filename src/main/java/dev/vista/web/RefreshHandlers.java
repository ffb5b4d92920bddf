package dev.vista.web;

import dev.vista.refresh.RefreshRequest;
import dev.vista.refresh.Refresher;
import dev.vista.refresh.Trigger;
import dev.vista.report.Flag;
import dev.vista.report.InvalidQueryException;
import dev.vista.report.Reports;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

// POST /api/admin/views/{name}/refresh and GET /api/views: refresh a view over HTTP, and how fresh each one is.
public final class RefreshHandlers {

    private static final List<String> FLAGS = List.of("concurrently", "cascade", "fallback", "wait");

    private final Refresher refresher;
    private final Reports reports;
    private final Authentication authentication;

    /** @param reports what each caller may read: {@code GET /api/views} lists only those views */
    public RefreshHandlers(Refresher refresher, Reports reports, Authentication authentication) {
        this.refresher = refresher;
        this.reports = reports;
        this.authentication = authentication;
    }

    /** Refusals and failures are RefreshExceptions, which {@link Errors} answers with their status. */
    public void refresh(Context ctx) {
        var unknown = ctx.queryParamMap().keySet().stream().filter(name -> !FLAGS.contains(name)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new InvalidQueryException("unknown_parameter", unknown.getFirst(), "a refresh takes no parameter '" + unknown.getFirst() + "'",
                    Map.of("parameters", FLAGS), "a refresh takes " + String.join(", ", FLAGS) + " (each true or false)");
        }
        var request = new RefreshRequest(ctx.pathParam("name"), flag(ctx, "concurrently"), flag(ctx, "cascade"), flag(ctx, "fallback"),
                flag(ctx, "wait"), Trigger.http);
        ctx.json(Map.of("refreshed", refresher.refresh(request)));
    }

    /** GET /api/views: the refresh state of the stored views the caller may read (read as Vista, listed for the caller). */
    public void views(Context ctx) {
        var caller = reports.as(authentication.caller(ctx));
        ctx.json(refresher.views().stream().filter(view -> caller.mayRead(view.name())).toList());
    }

    private static boolean flag(Context ctx, String name) {
        return Flag.parse(name, ctx.queryParams(name));
    }
}
