package dev.vista.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The talk's claim over plain JDBC: a view costs what the hand-written {@code GROUP BY} it holds costs, and a
 * materialized view answers from stored rows, and from its index for one user's rows.
 */
final class ReportSourcesScenario implements Scenario {

    /**
     * The least rounds of a comparison of sources: the view and its {@code GROUP BY} do the same work, so their goal is
     * a ratio of 1.00 ± 0.05, closer than one round on two cores holds still; the verdict is the median of this many
     * rounds' own ratios, the rounds in alternating order.
     */
    static final int SOURCE_ROUNDS = 7;

    /** Users whose rows one round of a per-user comparison reads, one query each, spread over all users. */
    static final int USERS_PER_ROUND = 50;

    private static final String VISITS_SUMMARY_GROUP_BY = """
            SELECT user_id, section, (visit_time AT TIME ZONE 'UTC')::date AS visit_date, count(*) AS visits
            FROM page_visits GROUP BY user_id, section, visit_date""";

    private static final String USER_STATS_GROUP_BY = """
            SELECT u.id AS user_id, u.username, count(v.id) AS total_visits, min(v.visit_time) AS first_visit,
                   max(v.visit_time) AS last_visit, count(DISTINCT v.section) AS distinct_sections,
                   count(v.id) FILTER (WHERE v.visit_time >= now() - interval '30 days') AS visits_last_30_days
            FROM users u LEFT JOIN page_visits v ON v.user_id = u.id GROUP BY u.id, u.username""";

    @Override
    public String name() {
        return "reports";
    }

    /** The users one round of a per-user comparison reads: {@link #USERS_PER_ROUND} ids spread over all of them. */
    static List<Long> usersOfARound(int users) {
        return LongStream.range(0, USERS_PER_ROUND).map(i -> 1 + i * users / USERS_PER_ROUND).boxed().toList();
    }

    @Override
    public void run(BenchContext context) throws Exception {
        var options = context.options();
        var report = context.report();
        var summary = Timings.alternating(options.warmups(), rounds(options), wholeReport(context, Map.of(
                "groupby", VISITS_SUMMARY_GROUP_BY,
                "view", "SELECT * FROM visits_summary",
                "materialized", "SELECT * FROM visits_summary_mv")));
        compareSources(report, "visits_summary (JDBC)", summary, "hand-written GROUP BY");

        // The other half of the talk's claim: a materialized view can be indexed. One user's rows, the way an
        // analyst drills into a report, answered from the view's unique index instead of aggregating that user's visits.
        var oneUser = Timings.alternating(options.warmups(), rounds(options), perUser(context, Map.of(
                "groupby", VISITS_SUMMARY_GROUP_BY.replace("FROM page_visits", "FROM page_visits WHERE user_id = ?"),
                "view", "SELECT * FROM visits_summary WHERE user_id = ?",
                "materialized", "SELECT * FROM visits_summary_mv WHERE user_id = ?")));
        compareSources(report, "visits_summary, one user's rows (JDBC, " + USERS_PER_ROUND + " users a round)", oneUser, "hand-written GROUP BY");

        var stats = Timings.alternating(options.warmups(), rounds(options), wholeReport(context, Map.of(
                "groupby", USER_STATS_GROUP_BY, "view", "SELECT * FROM user_stats")));
        compareSources(report, "user_stats (JDBC)", stats, "hand-written GROUP BY");
    }

    /** How many rounds a comparison of sources takes: the run's iterations, and at least {@link #SOURCE_ROUNDS}. */
    static int rounds(Bench.Options options) {
        return Math.max(SOURCE_ROUNDS, options.iterations());
    }

    /**
     * The lines of one comparison of a report's sources: the view against the {@code GROUP BY} (the same work), and the
     * materialized view, where the report has one, against it too (stored rows: a small fraction of the work at 10M visits);
     * the samples are rounds of {@link Timings#alternating}, each ratio the median of the rounds' own.
     */
    static void compareSources(BenchReport report, String scenario, Map<String, Timings.Samples> samples, String groupBy) {
        var reference = samples.get("groupby");
        report.comparePaired(scenario, "view", samples.get("view"), groupBy, reference, "1.00 ± 0.05", r -> Math.abs(r - 1) <= 0.05);
        if (samples.containsKey("materialized")) {
            report.comparePaired(scenario, "materialized", samples.get("materialized"), groupBy, reference, "< 0.01 at 10M", r -> r < 0.01);
        }
    }

    /** Each variant reads the whole result of its query, every value, in the order groupby, view, materialized. */
    private static Map<String, Timings.Work> wholeReport(BenchContext context, Map<String, String> sql) {
        var variants = new LinkedHashMap<String, Timings.Work>();
        for (var name : inOrder(sql)) {
            variants.put(name, () -> Jdbc.query(context.dataSource(), sql.get(name)));
        }
        return variants;
    }

    /** Each variant reads the rows of {@link #USERS_PER_ROUND} users with its prepared query on one connection. */
    private static Map<String, Timings.Work> perUser(BenchContext context, Map<String, String> sql) {
        var users = usersOfARound(context.options().users());
        var variants = new LinkedHashMap<String, Timings.Work>();
        for (var name : inOrder(sql)) {
            variants.put(name, () -> {
                try (var connection = context.dataSource().getConnection(); var statement = connection.prepareStatement(sql.get(name))) {
                    for (var user : users) {
                        statement.setLong(1, user);
                        try (var rows = statement.executeQuery()) {
                            Jdbc.readAll(rows);
                        }
                    }
                }
            });
        }
        return variants;
    }

    private static List<String> inOrder(Map<String, String> sql) {
        return List.of("groupby", "view", "materialized").stream().filter(sql::containsKey).toList();
    }
}
