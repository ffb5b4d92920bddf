package dev.vista.web;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every HTTP request once it is answered (as a Javalin request logger): Micrometer's standard
 * {@code http.server.requests} timer, tagged method, uri (the route template such as {@code /api/reports/{name}}, never
 * the raw path, so the number of series stays bounded), status and outcome; for report rows also the rows served and
 * the time to query and stream them ({@code vista.report.rows}, {@code vista.report.query}) per report, source and
 * format; and one INFO line of {@code key=value} pairs per request, unless switched off.
 *
 * <p>Not javalin-micrometer's plugin: it records whole milliseconds (a 0.4 ms request counts as 0), and the log line
 * needs the same hook anyway. The tags follow its (and Spring's) conventions so dashboards built for them work here.
 */
public final class RequestMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(RequestMetrics.class);
    private static final String SERVED = "vista.served";
    /** Histogram buckets: enough for latency quantiles in PromQL without a series per bucket of a fine histogram. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    /** What a report request served: set by its handler, read here when the request is done. */
    record Served(String report, String source, String format, long rows, long nanos) {
    }

    private final MeterRegistry registry;
    private final boolean log;
    /**
     * The meters by their tags, registered once: a meter looked up by its builder on every request costs a few percent
     * of a small page (a new id, its tags sorted, the registry's map). The keys are bounded as the series are.
     */
    private final Map<String, Timer> requests = new ConcurrentHashMap<>();
    private final Map<String, ServedMeters> reports = new ConcurrentHashMap<>();

    private record ServedMeters(Counter rows, Timer query) {
    }

    /** @param log whether to write the request line ({@code VISTA_REQUEST_LOG}) */
    public RequestMetrics(MeterRegistry registry, boolean log) {
        this.registry = registry;
        this.log = log;
    }

    public void register(JavalinConfig config) {
        config.requestLogger.http(this::record);
    }

    /** Called by a report handler once its rows are written. */
    static void served(Context ctx, String report, String source, String format, long rows, long startedNanos) {
        ctx.attribute(SERVED, new Served(report, source, format, rows, System.nanoTime() - startedNanos));
    }

    private void record(Context ctx, Float executionMs) {
        var method = ctx.method().name();
        var route = route(ctx);
        var status = ctx.statusCode();
        // keys as text: a record's generated hashCode and equals cost more here than the string they would save
        requests.computeIfAbsent(method + ' ' + status + ' ' + route, key -> requestTimer(method, route, status))
                .record((long) (executionMs * 1_000_000), TimeUnit.NANOSECONDS);
        Served served = ctx.attribute(SERVED);
        if (served != null) {
            var meters = reports.computeIfAbsent(served.format() + ' ' + served.source() + ' ' + served.report(), key -> servedMeters(served));
            meters.rows().increment(served.rows());
            meters.query().record(served.nanos(), TimeUnit.NANOSECONDS);
        }
        if (log && LOG.isInfoEnabled()) {
            var line = new StringBuilder()
                    .append("method=").append(method)
                    .append(" route=").append(value(route))
                    .append(" status=").append(status)
                    .append(" ms=");
            tenths(line, executionMs);
            if (served != null) {
                line.append(" report=").append(value(served.report()))
                        .append(" source=").append(served.source())
                        .append(" format=").append(served.format())
                        .append(" rows=").append(served.rows());
            }
            LOG.info(line.append(" path=").append(value(ctx.path())).toString());
        }
    }

    private Timer requestTimer(String method, String route, int status) {
        return Timer.builder("http.server.requests")
                .description("HTTP requests Vista answered")
                .tags("method", method, "uri", route, "status", Integer.toString(status), "outcome", outcome(status))
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    private ServedMeters servedMeters(Served key) {
        var rows = Counter.builder("vista.report.rows")
                .description("Rows of reports served")
                .tags("report", key.report(), "source", key.source(), "format", key.format())
                .register(registry);
        var query = Timer.builder("vista.report.query")
                .description("Time to query a report and stream its rows to the client")
                .tags("report", key.report(), "source", key.source(), "format", key.format())
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        return new ServedMeters(rows, query);
    }

    /** Milliseconds to a tenth, as {@code %.1f} writes them, without a Formatter per request. */
    static void tenths(StringBuilder line, float millis) {
        var tenths = Math.round((double) millis * 10);
        line.append(tenths / 10).append('.').append(tenths % 10);
    }

    /**
     * The route template that answered, as Micrometer's conventions name it: {@code NOT_FOUND} for a path no route
     * matches.
     */
    static String route(Context ctx) {
        var endpoint = ctx.endpoints().matchedHttpEndpoint(); // set before the handler runs: auth refusals have it too
        if (endpoint != null && !endpoint.path.isEmpty()) {
            return endpoint.path;
        }
        if (ctx.statusCode() == 404) {
            return "NOT_FOUND";
        }
        return "UNKNOWN";
    }

    private static String outcome(int status) {
        if (status >= 500) {
            return "SERVER_ERROR";
        }
        if (status >= 400) {
            return "CLIENT_ERROR";
        }
        if (status >= 300) {
            return "REDIRECTION";
        }
        return status >= 200 ? "SUCCESS" : "INFORMATIONAL";
    }

    /** A logfmt value: quoted when it holds a space, a quote or an equals sign. */
    private static String value(String text) {
        if (text.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            return text;
        }
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
