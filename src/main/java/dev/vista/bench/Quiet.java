package dev.vista.bench;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Waits, before a scenario is measured, until the machine is quiet: statistics fresh, no autovacuum worker running,
 * the processors mostly idle. Work left over from the scenario before (autovacuum after its deletes, the first
 * ANALYZE of a view it created again, a server still compiling) would otherwise be measured as this one's, on two
 * cores a large part of it. Says what it waited for, so a disturbed run shows why.
 */
final class Quiet {

    /** The longest it waits, 12 times a round of load (two minutes at the default 10 s); then the scenario runs anyway, and says so. */
    private static final int LONGEST_ROUNDS = 12;
    /** Busy below this share of all processors, over a second, counts as quiet. */
    private static final double QUIET = 0.15;
    private static final Path STAT = Path.of("/proc/stat");

    private Quiet() {
    }

    static void settle(BenchContext context) throws InterruptedException {
        var longest = Duration.ofSeconds((long) LONGEST_ROUNDS * context.options().httpSeconds());
        var started = System.nanoTime();
        context.dsl().execute("ANALYZE"); // what autovacuum would analyze later, in the middle of a measurement
        var vacuums = 0L;
        var busiest = 0.0;
        while (true) {
            var running = context.dsl().fetchCount(table(name("pg_catalog", "pg_stat_activity")), field(name("backend_type")).eq("autovacuum worker"));
            var busy = busy(Duration.ofSeconds(1));
            vacuums = Math.max(vacuums, running);
            busiest = Math.max(busiest, busy.orElse(0.0));
            if (running == 0 && busy.orElse(0.0) < QUIET) {
                break;
            }
            if (System.nanoTime() - started > longest.toNanos()) {
                context.out().println(String.format(Locale.ROOT, "bench: the machine is not quiet after %d s (autovacuum workers %d, busy %.0f%%); measuring anyway",
                        longest.toSeconds(), running, busy.orElse(0.0) * 100));
                break;
            }
        }
        var waited = Duration.ofNanos(System.nanoTime() - started);
        if (waited.toMillis() > 2500) {
            context.out().println(String.format(Locale.ROOT, "bench: waited %.1f s for a quiet machine (autovacuum workers at most %d, busy at most %.0f%%)",
                    waited.toMillis() / 1000.0, vacuums, busiest * 100));
        }
    }

    /** The share of all processors busy over {@code period}, from /proc/stat; empty where there is none (not Linux). */
    private static Optional<Double> busy(Duration period) throws InterruptedException {
        var before = ticks();
        Thread.sleep(period);
        var after = ticks();
        if (before.isEmpty() || after.isEmpty()) {
            return Optional.empty();
        }
        var total = after.get()[0] - before.get()[0];
        var idle = after.get()[1] - before.get()[1];
        return Optional.of(total <= 0 ? 0.0 : 1.0 - (double) idle / total);
    }

    /** All ticks and idle ticks (idle and iowait) of the machine's processors since boot. */
    private static Optional<long[]> ticks() {
        try {
            var line = Files.readAllLines(STAT).getFirst().trim().split("\\s+");
            var values = Arrays.stream(line, 1, line.length).mapToLong(Long::parseLong).toArray();
            var total = Arrays.stream(values, 0, Math.min(8, values.length)).sum(); // user .. steal; guest is in user already
            return Optional.of(new long[] {total, values[3] + values[4]});
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
