package dev.vista.bench;

import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import java.util.ArrayList;
import java.util.List;

/**
 * A changed materialized view (section_daily, over every visit) while a reader reads it in a loop: Vista builds the
 * new version beside the old one and swaps it in, so the reader waits only for the swap; DROP and CREATE by hand
 * lock it out for the whole rebuild. The scenario edits a copy of db/ and ends with the packaged views migrated back.
 */
final class SideBySideRebuildScenario implements Scenario {

    private static final String GROUP_BY = "FROM page_visits\nGROUP BY";
    private static final String WHERE_GROUP_BY = "FROM page_visits\nWHERE duration_ms >= 0\nGROUP BY";
    private static final String READ = "SELECT * FROM section_daily ORDER BY visit_date, section";

    /** How long a rebuild took and the longest read meanwhile, in milliseconds. */
    private record Rebuild(double millis, double longestRead) {
    }

    @Override
    public String name() {
        return "side-by-side-rebuild";
    }

    @Override
    public void run(BenchContext context) throws Exception {
        var dataSource = context.dataSource();
        var indexes = HandRebuild.indexesOf(dataSource, "section_daily");
        var vista = new ArrayList<Rebuild>();
        var byHand = new ArrayList<Rebuild>();
        try (var copy = ChangelogCopy.create()) {
            for (int i = 0; i < Math.min(context.options().iterations(), 3); i++) {
                var edited = i % 2 == 0;
                copy.edit("section_daily", edited ? GROUP_BY : WHERE_GROUP_BY, edited ? WHERE_GROUP_BY : GROUP_BY);
                Timings.Work migrate = () -> {
                    var result = copy.migrator(dataSource).migrate();
                    if (!result.sideBySide().contains("section_daily")) {
                        throw new IllegalStateException("expected section_daily to be rebuilt side by side, got: " + result.summary());
                    }
                };
                var hand = new HandRebuild(List.of("DROP MATERIALIZED VIEW section_daily"),
                        List.of("CREATE MATERIALIZED VIEW section_daily AS\n" + copy.query("section_daily")), indexes);
                // Which goes first alternates; either way the view ends as the file says.
                if (edited) {
                    vista.add(whileReading(context, migrate));
                    byHand.add(whileReading(context, () -> hand.run(dataSource)));
                } else {
                    byHand.add(whileReading(context, () -> hand.run(dataSource)));
                    vista.add(whileReading(context, migrate));
                }
            }
        } finally {
            new Migrator(dataSource, ChangelogSource.classpath()).migrate();
        }
        var scenario = "change section_daily (materialized) while a reader reads it";
        var report = context.report();
        report.compare(scenario, "longest read during Vista's side-by-side rebuild", longestReads(vista),
                "longest read during DROP + CREATE by hand, one transaction", longestReads(byHand), "< 0.1", r -> r < 0.1);
        report.compare(scenario, "Vista's side-by-side rebuild", durations(vista), "DROP + CREATE by hand, one transaction", durations(byHand),
                "about 1.0 (same work, readers served)", r -> r < 1.5);
    }

    private static Rebuild whileReading(BenchContext context, Timings.Work rebuild) throws Exception {
        var took = new double[1];
        var reads = JdbcReaders.during(context.database(), READ, 1, () -> took[0] = Timings.time(rebuild));
        return new Rebuild(took[0], reads.latencies().max());
    }

    private static Timings.Samples longestReads(List<Rebuild> rebuilds) {
        return new Timings.Samples("longest read", rebuilds.stream().map(Rebuild::longestRead).toList());
    }

    private static Timings.Samples durations(List<Rebuild> rebuilds) {
        return new Timings.Samples("rebuild", rebuilds.stream().map(Rebuild::millis).toList());
    }
}
