package dev.vista.refresh;

import dev.vista.config.Durations;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes views on the schedules declared in db/views ({@code -- vista:refresh 15m}), in the background.
 *
 * <p>When a view is due is worked out from refresh_history every time, not kept in memory, so schedules hold
 * across restarts and across app instances (and count refreshes made by the CLI or by hand through the API): due
 * at the last success plus the interval plus a jitter of up to a tenth of it (at most a minute), different per
 * instance; never refreshed, due now. After a failure it is retried with exponential backoff (base, 2 x base,
 * 4 x base, ... never longer than the interval); the failed refresh rolled back, so the old data is still served.
 * A view another instance is refreshing right now is left to it. Refreshes are concurrent where possible. A due refresh
 * that fails, or starts more than a whole interval late, counts as a miss ({@code vista_refresh_schedule_misses_total}).
 */
public final class RefreshScheduler implements AutoCloseable {

    /** One view and how often it is refreshed. */
    public record Schedule(String view, Duration every) {
    }

    /** What a scheduled run did: the views refreshed, or the refusal or failure. */
    public record Event(String view, Trigger trigger, List<RefreshResult> refreshed, RefreshException failure) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(RefreshScheduler.class);
    private static final Duration LONGEST_SLEEP = Duration.ofSeconds(30);
    private static final Duration SHORTEST_SLEEP = Duration.ofMillis(10);
    private static final Duration AFTER_AN_ERROR = Duration.ofSeconds(5);

    private final Refresher refresher;
    private final List<Schedule> schedules;
    private final Duration backoff;
    private final Consumer<Event> listener;
    private final long seed = new SecureRandom().nextLong();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("vista-refresh-scheduler").daemon().factory());
    private volatile boolean firstPass = true;

    public RefreshScheduler(Refresher refresher, List<Schedule> schedules, Duration backoff, Consumer<Event> listener) {
        this.refresher = refresher;
        this.schedules = List.copyOf(schedules);
        this.backoff = backoff;
        this.listener = listener;
        this.schedules.forEach(schedule -> refresher.metrics().watchSchedule(schedule.view()));
    }

    /** The app's scheduler: the schedules of db/views, retries from 10 s, outcomes logged by the refresher. */
    public static RefreshScheduler of(Refresher refresher) {
        return new RefreshScheduler(refresher, refresher.schedules(), Duration.ofSeconds(10), event -> { });
    }

    public RefreshScheduler start() {
        if (!schedules.isEmpty()) {
            LOG.info("refreshing on schedule: {}", String.join(", ", schedules.stream()
                    .map(s -> s.view() + " every " + Durations.format(s.every())).toList()));
            executor.execute(this::tick);
        }
        return this;
    }

    /** Stops scheduling, cancels a refresh that is running (it is recorded as failed and rolled back) and waits for the thread. */
    @Override
    public void close() {
        executor.shutdownNow();
        refresher.stop();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("the refresh scheduler did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isStopped() {
        return executor.isTerminated();
    }

    private void tick() {
        var sleep = LONGEST_SLEEP;
        try {
            var trigger = firstPass ? Trigger.startup : Trigger.schedule;
            for (var schedule : schedules) {
                if (executor.isShutdown()) {
                    return;
                }
                var due = due(schedule, refresher.state(schedule.view()), backoff, seed);
                if (!due.isAfter(Instant.now())) {
                    if (!due.equals(Instant.EPOCH) && Duration.between(due, Instant.now()).compareTo(schedule.every()) > 0) {
                        refresher.metrics().missed(schedule.view());
                    }
                    run(schedule, trigger);
                    due = due(schedule, refresher.state(schedule.view()), backoff, seed);
                }
                sleep = shorter(sleep, Duration.between(Instant.now(), due));
            }
            firstPass = false;
        } catch (RuntimeException e) {
            LOG.warn("refresh scheduler: {}; trying again in {} s", e.getMessage(), AFTER_AN_ERROR.toSeconds());
            sleep = AFTER_AN_ERROR;
        }
        try {
            executor.schedule(this::tick, Math.max(sleep.toMillis(), SHORTEST_SLEEP.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopped meanwhile
        }
    }

    private void run(Schedule schedule, Trigger trigger) {
        var request = RefreshRequest.of(schedule.view()).asConcurrent().withFallback().by(trigger);
        try {
            listener.accept(new Event(schedule.view(), trigger, refresher.refresh(request), null));
        } catch (RefreshException e) {
            switch (e.reason()) {
                case BUSY -> LOG.debug("{} is being refreshed elsewhere: {}", schedule.view(), e.getMessage());
                case CANCELLED -> { } // Vista is stopping
                default -> refresher.metrics().missed(schedule.view());
            }
            listener.accept(new Event(schedule.view(), trigger, List.of(), e));
        }
    }

    /** When a view is next due, from its history alone. */
    static Instant due(Schedule schedule, RefreshHistory.State state, Duration backoff, long seed) {
        if (state.last().isEmpty()) {
            return Instant.EPOCH;
        }
        var last = state.last().get();
        if (last.finishedAt() == null) { // running: if its session died, the next attempt marks it abandoned
            return last.startedAt().toInstant().plus(schedule.every());
        }
        if (!last.succeeded() && state.failuresSinceSuccess() > 0) {
            var delay = backoff.multipliedBy(1L << Math.min(state.failuresSinceSuccess() - 1, 20));
            return last.finishedAt().toInstant().plus(shorter(delay, schedule.every()));
        }
        var success = state.lastSuccess().orElse(last).finishedAt();
        return success.toInstant().plus(schedule.every()).plus(jitter(schedule, success, seed));
    }

    /** Up to a tenth of the interval (at most a minute): different per instance and per refresh, the same on every tick. */
    static Duration jitter(Schedule schedule, OffsetDateTime after, long seed) {
        var bound = shorter(schedule.every().dividedBy(10), Duration.ofMinutes(1)).toMillis();
        if (bound <= 0) {
            return Duration.ZERO;
        }
        var random = new SplittableRandom(seed ^ schedule.view().hashCode() * 31L ^ after.toInstant().toEpochMilli());
        return Duration.ofMillis(random.nextLong(bound));
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
