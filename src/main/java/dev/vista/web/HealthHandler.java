package dev.vista.web;

import io.javalin.http.Context;
import java.util.Map;
import javax.sql.DataSource;

// GET /health: 200 when a connection answers a trivial query, 503 when the database cannot be reached.
public final class HealthHandler {

    private final DataSource dataSource;

    public HealthHandler(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void check(Context ctx) {
        try (var connection = dataSource.getConnection()) {
            if (connection.isValid(2)) {
                ctx.json(Map.of("status", "ok"));
                return;
            }
        } catch (Exception e) {
            // reported below
        }
        ctx.status(503).json(new ApiError("database_unavailable", "the database is unreachable", null, null));
    }
}
