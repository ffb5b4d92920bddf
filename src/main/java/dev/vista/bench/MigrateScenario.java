package dev.vista.bench;

import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What migrate costs: with nothing to do (the project's views, and 20 more in a chain whose order must be worked
 * out), and for a change at the root of a chain of views against the same DROP and CREATE typed by hand. The
 * scenario edits a copy of db/ and ends with the packaged views migrated back.
 */
final class MigrateScenario implements Scenario {

    private static final int MORE_VIEWS = 20;
    private static final String FROM = "FROM page_visits\n";
    private static final String FROM_WHERE = "FROM page_visits\nWHERE duration_ms >= 0\n";

    @Override
    public String name() {
        return "migrate";
    }

    @Override
    public void run(BenchContext context) throws Exception {
        var dataSource = context.dataSource();
        var noop = noOp(context, new Migrator(dataSource, ChangelogSource.classpath()));
        context.report().add(new BenchReport.Line("migrate", "no-op migrate, all views", BenchReport.medianAndRange(noop), "", "",
                Double.NaN, "well under 1 s", BenchReport.verdict(noop.median() < 1000)));
        try (var copy = ChangelogCopy.create()) {
            moreViews(context, copy, noop);
            chainChange(context, copy);
        } finally {
            new Migrator(dataSource, ChangelogSource.classpath()).migrate();
        }
    }

    /** Migrations that find nothing to do, interleaved with themselves after the warm-ups. */
    private static Timings.Samples noOp(BenchContext context, Migrator migrator) throws Exception {
        var options = context.options();
        return Timings.interleaved(options.warmups(), options.iterations(), Map.of("noop", () -> {
            var result = migrator.migrate();
            if (!result.changedNothing()) {
                throw new IllegalStateException("expected a migrate with nothing to do, got: " + result.summary());
            }
        })).get("noop");
    }

    /**
     * The project's views and 20 plain views more, each on the one before, so that their order has to be worked out.
     * Each reads one column of the one before: the dependants query of Vista's view sync follows pg_depend's rows, one
     * per column used, without merging paths, so dropping a deep chain whose views use several columns takes
     * exponential time (20 levels of 4 columns did not end within 15 minutes).
     */
    private static void moreViews(BenchContext context, ChangelogCopy copy, Timings.Samples noop) throws Exception {
        for (int i = 1; i <= MORE_VIEWS; i++) {
            var source = i == 1 ? "page_visits" : "bench_view_%02d".formatted(i - 1);
            copy.write("bench_view_%02d".formatted(i), "-- Bench view %d\nSELECT id FROM %s WHERE id >= %d\n".formatted(i, source, i));
        }
        var migrator = copy.migrator(context.dataSource());
        migrator.migrate();
        var more = noOp(context, migrator);
        context.report().add(new BenchReport.Line("migrate", "no-op migrate, all views and " + MORE_VIEWS + " more in a chain",
                BenchReport.medianAndRange(more), "no-op migrate, all views", BenchReport.medianAndRange(noop),
                more.median() / noop.median(), "well under 1 s", BenchReport.verdict(more.median() < 1000)));
        for (int i = 1; i <= MORE_VIEWS; i++) {
            copy.delete("bench_view_%02d".formatted(i));
        }
        migrator.migrate();
    }

    /**
     * A change at the root of a dependency chain: visits_summary gains (then loses) a WHERE clause, and
     * daily_totals and visits_summary_mv (repopulated, with its indexes) depend on it. Vista's migrate against
     * the chain dropped top down and created bottom up by hand; which goes first alternates, the first round warms up.
     */
    private static void chainChange(BenchContext context, ChangelogCopy copy) throws Exception {
        var dataSource = context.dataSource();
        var indexes = HandRebuild.indexesOf(dataSource, "visits_summary_mv");
        var vista = new ArrayList<Double>();
        var byHand = new ArrayList<Double>();
        int rounds = Math.max(3, Math.min(context.options().iterations(), 5));
        for (int i = 0; i <= rounds; i++) {
            var edited = i % 2 == 0;
            copy.edit("visits_summary", edited ? FROM : FROM_WHERE, edited ? FROM_WHERE : FROM);
            Timings.Work migrate = () -> {
                var result = copy.migrator(dataSource).migrate();
                if (!result.replace().contains("visits_summary")) {
                    throw new IllegalStateException("expected visits_summary to be replaced, got: " + result.summary());
                }
            };
            Timings.Work hand = () -> chainByHand(copy, indexes).run(dataSource);
            var first = Timings.time(edited ? migrate : hand);
            var second = Timings.time(edited ? hand : migrate);
            if (i > 0) {
                vista.add(edited ? first : second);
                byHand.add(edited ? second : first);
            }
        }
        context.report().compare("migrate", "change at the root of visits_summary -> daily_totals, visits_summary_mv",
                new Timings.Samples("vista", vista), "DROP + CREATE of the chain by hand, one transaction",
                new Timings.Samples("hand", byHand), "about 1.0 (same work, found automatically)", r -> r < 1.5);
    }

    private static HandRebuild chainByHand(ChangelogCopy copy, List<String> indexes) {
        return new HandRebuild(
                List.of("DROP MATERIALIZED VIEW visits_summary_mv", "DROP VIEW daily_totals", "DROP VIEW visits_summary"),
                List.of("CREATE VIEW visits_summary AS\n" + copy.query("visits_summary"),
                        "CREATE VIEW daily_totals AS\n" + copy.query("daily_totals"),
                        "CREATE MATERIALIZED VIEW visits_summary_mv AS\n" + copy.query("visits_summary_mv")),
                indexes);
    }
}
