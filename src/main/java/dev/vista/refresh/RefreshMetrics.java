package dev.vista.refresh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Refreshes as Micrometer meters, recorded where they happen (the scheduler runs them with no request in sight):
 * {@code vista_refresh_seconds} per view, mode, trigger and outcome; {@code vista_view_age_seconds}, each stored view's
 * age as {@link Freshness} reads it (NaN until its first refresh); {@code vista_refresh_schedule_misses_total}, scheduled
 * refreshes that did not happen as planned, per view.
 */
final class RefreshMetrics {

    private final MeterRegistry registry;

    RefreshMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A refresh that ran: {@code outcome} is {@code succeeded}, or why it did not (failed, timeout, cancelled). */
    void refreshed(String view, Mode mode, Trigger trigger, String outcome, long nanos) {
        Timer.builder("vista.refresh")
                .description("Refreshes of materialized views and incremental aggregates that ran")
                .tags("view", view, "mode", mode.name(), "trigger", trigger.name(), "outcome", outcome)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    static String outcome(RefreshException.Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    /**
     * A scheduled refresh that was due and did not succeed (failed, timed out, or was refused other than by another
     * refresh of the view running), or that started more than a whole interval after it was due (the app was down, or
     * the scheduler was busy with other views). {@link #watchSchedule} starts a view's count at zero, so a rate sees its first miss.
     */
    void missed(String view) {
        misses(view).increment();
    }

    void watchSchedule(String view) {
        misses(view);
    }

    private Counter misses(String view) {
        return Counter.builder("vista.refresh.schedule.misses")
                .description("Scheduled refreshes that failed, were refused or started more than one interval late")
                .tag("view", view)
                .register(registry);
    }

    /** Seconds since the view's last successful refresh, read on each scrape (Freshness reads the database at most once a second). */
    void watchAge(String view, Freshness freshness) {
        Gauge.builder("vista.view.age", freshness, f -> f.lastRefreshed(view)
                        .map(at -> Math.max(0, Duration.between(at.toInstant(), Instant.now()).toMillis()) / 1000.0)
                        .orElse(Double.NaN))
                .description("Seconds since the last successful refresh of a stored view (NaN: never refreshed)")
                .baseUnit("seconds")
                .tag("view", view)
                .strongReference(true)
                .register(registry);
    }
}
