package dev.vista.web;

import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;

// GET /metrics: every meter of the registry in Prometheus' text format (0.0.4), for a scrape with the admin token.
public final class MetricsHandler {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public MetricsHandler(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    public void scrape(Context ctx) throws IOException {
        ctx.contentType(CONTENT_TYPE);
        registry.scrape(ctx.outputStream(), CONTENT_TYPE);
    }
}
