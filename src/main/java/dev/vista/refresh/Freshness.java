package dev.vista.refresh;

import dev.vista.migrate.ViewFile;
import dev.vista.migrate.ViewFile.Kind;
import dev.vista.report.Report;
import dev.vista.web.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Table;

/**
 * How old the data of a report is, for the report endpoints: {@code Last-Modified} (the last successful refresh)
 * and {@code X-Data-Age} (seconds since) on rows served from a materialized view or an incremental aggregate, the
 * same in the catalogue, and {@code ?realtime=true}, which serves bucketed ones as of now.
 *
 * <p>The last refreshes are read at most once a second (and again right after a refresh through this Vista), so
 * freshness costs report requests nothing measurable; the age is still computed per request.
 */
public final class Freshness {

    /** HTTP-date (RFC 9110 section 5.6.7), e.g. "Tue, 03 Jun 2008 11:05:30 GMT". */
    static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private static final Duration CACHE_FOR = Duration.ofSeconds(1);

    private record Snapshot(Instant loaded, Map<String, RecordedRefresh> lastSuccess) {
    }

    private final DSLContext dsl;
    private final Map<String, ViewFile> files;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();

    Freshness(DSLContext dsl, Map<String, ViewFile> files) {
        this.dsl = dsl;
        this.files = files;
    }

    /**
     * Called by the rows handler with the relation it is about to read: sets the freshness headers and returns
     * what to read instead, which is the same table unless {@code realtime} is "true".
     */
    public Table<?> serve(Table<?> table, String realtime, BiConsumer<String, String> header) {
        var name = table.getName();
        if (parse(realtime)) {
            var file = Optional.ofNullable(files.get(name)).filter(f -> f.buckets().isPresent()).orElseThrow(() -> ApiException.badRequest(
                    "realtime_unsupported", "report '" + name + "' cannot be served in real time",
                    "realtime=true works on materialized reports that declare '-- vista:watermark' and '-- vista:bucket': " + realtimeReports()));
            var watermark = last(name).filter(e -> e.watermark() != null && e.baseFilenode() != null)
                    .map(e -> new Watermark(e.watermark(), e.baseFilenode()));
            header.accept("Last-Modified", HTTP_DATE.format(Instant.now()));
            header.accept("X-Data-Age", "0");
            return BucketQueries.realtime(table, file, watermark);
        }
        last(name).ifPresent(e -> {
            header.accept("Last-Modified", HTTP_DATE.format(e.finishedAt()));
            header.accept("X-Data-Age", Long.toString(ageSeconds(e.finishedAt())));
        });
        return table;
    }

    /** Whether the relation of that name keeps stored rows whose age is tracked (a materialized view or an incremental aggregate). */
    public boolean tracks(String name) {
        var file = files.get(name);
        return file != null && file.kind() != Kind.VIEW;
    }

    /** Adds "freshness" to a catalogue entry of a materialized report; other entries are returned as they are. */
    public Map<String, Object> annotate(Report report, Map<String, Object> entry) {
        var file = files.get(report.name());
        var last = last(report.name());
        if (report.kind() != Report.Kind.materialized_view && file == null && last.isEmpty()) {
            return entry;
        }
        var freshness = new LinkedHashMap<String, Object>();
        freshness.put("last_refreshed_at", last.map(RecordedRefresh::finishedAt).orElse(null));
        freshness.put("age_seconds", last.map(e -> ageSeconds(e.finishedAt())).orElse(null));
        freshness.put("refresh_every", file == null ? null : file.refreshEvery().map(Freshness::interval).orElse(null));
        freshness.put("incremental", file != null && file.kind() == Kind.INCREMENTAL);
        freshness.put("realtime", file != null && file.buckets().isPresent());
        entry.put("freshness", freshness);
        return entry;
    }

    /** Forgets what was read, so the next request sees a refresh that just committed. */
    void invalidate() {
        snapshot.set(null);
    }

    Optional<RecordedRefresh> last(String view) {
        var current = snapshot.get();
        if (current == null || current.loaded().plus(CACHE_FOR).isBefore(Instant.now())) {
            var names = files.values().stream().filter(f -> f.kind() != Kind.VIEW).map(ViewFile::name).collect(Collectors.toSet());
            names.addAll(dsl.resultQuery("""
                    SELECT relname FROM pg_class WHERE relkind = 'm' AND relnamespace = current_schema()::regnamespace
                    """).fetch(0, String.class));
            current = new Snapshot(Instant.now(), Map.copyOf(RefreshHistory.lastSuccesses(dsl, names)));
            snapshot.set(current);
        }
        return Optional.ofNullable(current.lastSuccess().get(view));
    }

    static long ageSeconds(OffsetDateTime at) {
        return Math.max(0, Duration.between(at.toInstant(), Instant.now()).toSeconds());
    }

    /** "90s", "15m", "2h", "1d": the way the interval is written in db/views. */
    static String interval(Duration every) {
        var seconds = every.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private String realtimeReports() {
        return String.join(", ", files.values().stream().filter(f -> f.buckets().isPresent()).map(ViewFile::name).sorted().toList());
    }

    private static boolean parse(String realtime) {
        if (realtime == null || realtime.equals("false")) {
            return false;
        }
        if (realtime.equals("true")) {
            return true;
        }
        throw ApiException.badRequest("invalid_parameter", "realtime must be true or false, got '" + realtime + "'", null);
    }

    static List<ViewFile> refreshable(List<ViewFile> files) {
        return files.stream().filter(f -> f.kind() != Kind.VIEW).toList();
    }
}
