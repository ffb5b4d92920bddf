package dev.vista.bench;

import static dev.vista.bench.BenchReport.millis;

import dev.vista.refresh.Trigger;
import dev.vista.seed.DemoData;
import java.io.OutputStream;
import java.util.Locale;

// Loads the benchmark's data with vista seed, against the same rows in one bare INSERT ... generate_series.
final class SeedScenario implements Scenario {

    @Override
    public String name() {
        return "seed";
    }

    @Override
    public void run(BenchContext context) throws Exception {
        var options = context.options();
        var dataSource = context.dataSource();
        context.out().printf(Locale.ROOT, "bench: seeding %,d visits for %,d users%n", options.visits(), options.users());
        var timing = new DemoData(context.dsl(), context.refresher(), Trigger.java, line -> context.out().println("bench: seed: " + line))
                .seed(options.visits(), options.users());
        // The reference: the same rows in one bare INSERT ... SELECT generate_series, into a copy of page_visits
        // with the same keys and indexes, as anyone would write it in psql.
        Jdbc.exec(dataSource, """
                DROP TABLE IF EXISTS bench_bare_visits;
                CREATE TABLE bench_bare_visits (LIKE page_visits INCLUDING ALL);
                ALTER TABLE bench_bare_visits ADD FOREIGN KEY (user_id) REFERENCES users (id);
                CREATE INDEX ON bench_bare_visits (user_id);
                """);
        var bare = """
                INSERT INTO bench_bare_visits (user_id, section, visit_time, duration_ms)
                SELECT 1 + floor(random() * %d)::bigint,
                       ('{index,dashboard,settings,reports,profile,billing}'::text[])[1 + floor(random() * 6)::int],
                       now() - random() * interval '30 days',
                       (200 + random() * random() * 30000)::int
                FROM generate_series(1, %d)
                """.formatted(options.users(), options.visits());
        var psql = Psql.find(context.database());
        var bareMillis = Timings.time(() -> {
            if (psql.isPresent()) {
                psql.get().run(bare, OutputStream.nullOutputStream());
            } else {
                Jdbc.exec(dataSource, bare);
            }
        });
        Jdbc.exec(dataSource, "DROP TABLE bench_bare_visits");
        var seedMillis = timing.visits().toNanos() / 1e6;
        var speedUp = bareMillis / seedMillis;
        context.report().add(new BenchReport.Line("seed", "vista seed: visits with keys and indexes", millis(seedMillis) + rate(options.visits(), seedMillis),
                psql.isPresent() ? "bare INSERT ... generate_series in psql" : "bare INSERT ... generate_series via JDBC",
                millis(bareMillis) + rate(options.visits(), bareMillis), speedUp, "speed-up >= 1.0", BenchReport.verdict(speedUp >= 1.0)));
        context.report().note("seed ratio is the speed-up (reference time / Vista time); one run each at this scale; Vista's total including "
                + "the materialized view refresh: " + millis(timing.total().toNanos() / 1e6));
    }

    private static String rate(long rows, double millis) {
        return String.format(Locale.ROOT, " (%,.0f rows/s)", rows / (millis / 1e3));
    }
}
