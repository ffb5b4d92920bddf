package dev.vista.refresh;

import static dev.vista.generated.Tables.SECTION_DAILY;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import dev.vista.database.Database;
import dev.vista.database.DatabaseConfig;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import dev.vista.migrate.ViewFile;
import dev.vista.seed.DemoData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Measures what refreshing section_daily costs at a given scale: full refresh, concurrent refresh, incremental
 * refresh of section_daily_incremental after appending 1% new visits (and after 1% plus late visits in three old
 * days), and the latency of a real-time read against the stored read and the plain recomputation. Medians of
 * several rounds, variants interleaved. Not a test: run it by hand.
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.vista.refresh.RefreshBenchmark \
 *        -Dvisits=1000000 -Drounds=3 [-Dlayout=by-day]
 * </pre>
 * {@code -Dlayout=by-day} first clusters page_visits by day, the physical order rows appended as they happen have
 * (the seed draws visit times at random, which spreads every day over the whole table).
 * (system properties, not {@code -Dexec.args}, which would also replace the arguments of the build's own exec runs;
 * run as a plain main it takes {@code --visits N --rounds N --data-dir DIR}).
 * Uses an embedded PostgreSQL in {@code target/refresh-benchmark} (kept, so a second run at the same scale skips
 * seeding), or {@code VISTA_DATABASE_URL}.
 */
public final class RefreshBenchmark {

    private RefreshBenchmark() {
    }

    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        var options = options(args);
        for (var name : List.of("visits", "rounds", "data-dir", "layout")) {
            var property = System.getProperty(name.equals("data-dir") ? "dataDir" : name);
            if (property != null) {
                options.put("--" + name, property);
            }
        }
        long visits = Long.parseLong(options.getOrDefault("--visits", "1000000").replace("_", ""));
        int rounds = Integer.parseInt(options.getOrDefault("--rounds", "3"));
        var env = System.getenv();
        var config = env.containsKey("VISTA_DATABASE_URL") ? DatabaseConfig.fromEnvironment(env)
                : DatabaseConfig.embedded(Path.of(options.getOrDefault("--data-dir", "target/refresh-benchmark")));
        var byDay = options.getOrDefault("--layout", "seeded").equals("by-day");
        try (var database = Database.open(config)) {
            run(database, visits, rounds, byDay);
        }
        System.exit(0);
    }

    private static void run(Database database, long visits, int rounds, boolean byDay) {
        var dataSource = database.dataSource();
        new Migrator(dataSource, ChangelogSource.classpath()).migrate();
        var dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
        var existing = dsl.resultQuery("SELECT count(*) FROM page_visits").fetchOne(0, Long.class);
        var clustered = dsl.resultQuery("SELECT count(*) FROM pg_index WHERE indrelid = 'page_visits'::regclass AND indisclustered")
                .fetchOne(0, Integer.class) > 0;
        if (existing != visits || clustered && !byDay) {
            System.out.printf("seeding %,d visits (%,d there now)...%n", visits, existing);
            new DemoData(dsl, line -> System.out.println("  " + line)).seed(visits, 1000);
        }
        if (byDay && !clustered) {
            // The seed draws each visit's time at random, so a day's visits are spread over every page of the table;
            // rows appended as they happen lie together by day instead. CLUSTER gives the seeded rows that order.
            System.out.println("clustering page_visits by day...");
            dsl.execute("CLUSTER page_visits USING page_visits_visit_date_idx");
        }
        dsl.execute("VACUUM ANALYZE page_visits");
        var seeded = dsl.resultQuery("SELECT max(id) FROM page_visits").fetchOne(0, Long.class);
        var refresher = new Refresher(dataSource, ChangelogSource.classpath().viewFiles(), Duration.ofHours(2), Duration.ofSeconds(5));
        var query = ChangelogSource.classpath().viewFiles().stream().filter(f -> f.name().equals("section_daily")).findFirst()
                .map(ViewFile::query).orElseThrow();
        var append = Math.max(1, visits / 100);

        System.out.printf("%nsection_daily at %,d visits, %s (%s; %d cores; JDK %s), median of %d rounds%n", visits,
                byDay ? "rows in day order (as appended)" : "rows in seeded order (each day spread over the whole table)",
                dsl.resultQuery("SELECT version()").fetchOne(0, String.class).replaceAll(" on .*", ""),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), rounds);
        // Warm-up, and a recorded watermark for the view.
        refresher.refresh(RefreshRequest.of("section_daily"));
        var full = new ArrayList<Double>();
        var concurrent = new ArrayList<Double>();
        for (int i = 0; i < rounds; i++) {
            full.add(time(() -> refresher.refresh(RefreshRequest.of("section_daily"))));
            concurrent.add(time(() -> refresher.refresh(RefreshRequest.of("section_daily").asConcurrent())));
        }

        // Each round starts from the seeded visits with the aggregate up to date, appends, and refreshes incrementally.
        var fill = new ArrayList<Double>();
        var incremental = new ArrayList<Double>();
        var incrementalLate = new ArrayList<Double>();
        var touched = new ArrayList<Integer>();
        var touchedLate = new ArrayList<Integer>();
        double share = 0;
        for (int i = 0; i < rounds; i++) {
            emptyIncremental(dsl, seeded);
            fill.add(time(() -> refresher.refresh(RefreshRequest.of("section_daily_incremental"))));
            appendVisits(dsl, append, "now() - random() * interval '10 minutes'");
            share = dsl.resultQuery("SELECT count(*) FILTER (WHERE (visit_time AT TIME ZONE 'UTC')::date = (now() AT TIME ZONE 'UTC')::date)::float"
                    + " / count(*) FROM page_visits").fetchOne(0, Double.class);
            incremental.add(time(() -> touched.add(refresher.refresh(RefreshRequest.of("section_daily_incremental")).getFirst().touchedBuckets())));

            emptyIncremental(dsl, seeded);
            refresher.refresh(RefreshRequest.of("section_daily_incremental"));
            appendVisits(dsl, append, "now() - random() * interval '10 minutes'");
            appendVisits(dsl, 100, "now() - (1 + floor(random() * 3))::int * interval '7 days'");
            incrementalLate.add(time(() -> touchedLate.add(refresher.refresh(RefreshRequest.of("section_daily_incremental")).getFirst().touchedBuckets())));
        }
        emptyIncremental(dsl, seeded);
        refresher.refresh(RefreshRequest.of("section_daily_incremental"));

        // Reads: section_daily stale by 1% of new visits, as between two scheduled refreshes.
        refresher.refresh(RefreshRequest.of("section_daily"));
        appendVisits(dsl, append, "now() - random() * interval '10 minutes'");
        if (Boolean.getBoolean("explain")) {
            var realtimeRead = dsl.selectFrom(refresher.freshness().serve(SECTION_DAILY, "true", (k, v) -> { }))
                    .orderBy(SECTION_DAILY.VISIT_DATE, SECTION_DAILY.SECTION);
            System.out.println("\nEXPLAIN ANALYZE of the realtime read:");
            dsl.fetch("EXPLAIN (ANALYZE, BUFFERS) " + dsl.renderInlined(realtimeRead)).forEach(r -> System.out.println("  " + r.get(0)));
        }
        var stored = new ArrayList<Double>();
        var realtime = new ArrayList<Double>();
        var plain = new ArrayList<Double>();
        var reads = Math.max(rounds, 5);
        for (int i = 0; i < reads + 1; i++) {
            var a = time(() -> dsl.selectFrom(SECTION_DAILY).orderBy(SECTION_DAILY.VISIT_DATE, SECTION_DAILY.SECTION).fetch());
            var b = time(() -> dsl.selectFrom(refresher.freshness().serve(SECTION_DAILY, "true", (k, v) -> { }))
                    .orderBy(SECTION_DAILY.VISIT_DATE, SECTION_DAILY.SECTION).fetch());
            var c = i < rounds + 1 ? time(() -> dsl.fetch("SELECT * FROM (" + query + ") q ORDER BY visit_date, section")) : -1;
            if (i > 0) { // the first round warms up
                stored.add(a);
                realtime.add(b);
                if (c >= 0) {
                    plain.add(c);
                }
            }
        }

        var fullMedian = median(full);
        System.out.printf("%n%-62s %12s %10s%n", "", "median ms", "vs full");
        row("full refresh (REFRESH MATERIALIZED VIEW)", fullMedian, fullMedian);
        row("concurrent refresh (REFRESH ... CONCURRENTLY)", median(concurrent), fullMedian);
        row("incremental, everything (section_daily_incremental filled anew)", median(fill), fullMedian);
        row("incremental after +1%% visits (%,d) now: %s bucket".formatted(append, touched), median(incremental), fullMedian);
        row("incremental after +1%% now and 100 late in 3 old days: %s".formatted(touchedLate), median(incrementalLate), fullMedian);
        System.out.printf("(today's bucket then holds %.1f%% of all visits, each read again: that bounds the ratio from below)%n", 100 * share);
        System.out.printf("%n%-62s %12s %10s%n", "read all of section_daily, 1% of visits since the refresh", "median ms", "vs stored");
        var storedMedian = median(stored);
        row("stored rows (the materialized view)", storedMedian, storedMedian);
        row("realtime=true (stored + touched buckets recomputed)", median(realtime), storedMedian);
        row("plain recomputation (the view's query)", median(plain), storedMedian);
        System.out.printf("%nrealtime / plain recomputation: %.3f%n", median(realtime) / median(plain));

        // Back to the seeded visits, so that the next run at this scale need not seed again.
        dsl.deleteFrom(table("page_visits")).where(field("id", Long.class).gt(seeded)).execute();
        dsl.execute("VACUUM ANALYZE page_visits");
    }

    /** Back to the seeded visits, and the incremental aggregate emptied: its next refresh recomputes everything. */
    private static void emptyIncremental(DSLContext dsl, long seeded) {
        dsl.deleteFrom(table("page_visits")).where(field("id", Long.class).gt(seeded)).execute();
        dsl.deleteFrom(table(DSL.name("vista", "section_daily_incremental"))).execute();
    }

    private static void appendVisits(DSLContext dsl, long count, String at) {
        dsl.execute("""
                INSERT INTO page_visits (user_id, section, visit_time, duration_ms)
                SELECT 1 + floor(random() * 1000)::bigint,
                       (ARRAY['index','dashboard','settings','reports','profile','billing'])[1 + floor(random() * 6)::int],
                       %s,
                       (200 + random() * random() * 30000)::int
                FROM generate_series(1, %d)
                """.formatted(at, count));
    }

    private static void row(String label, double millis, double reference) {
        System.out.printf("%-62s %12.1f %10.3f%n", label, millis, millis / reference);
    }

    private static double time(Runnable work) {
        var start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static double time(Supplier<?> work) {
        return time((Runnable) work::get);
    }

    private static double median(List<Double> values) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        var n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static Map<String, String> options(String[] args) {
        var result = new LinkedHashMap<String, String>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            result.put(args[i], args[i + 1]);
        }
        return result;
    }
}
