package dev.vista.cli;

import dev.vista.database.Database;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import dev.vista.refresh.RefreshException;
import dev.vista.refresh.RefreshRequest;
import dev.vista.refresh.RefreshResult;
import dev.vista.refresh.Trigger;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vista refresh [VIEW] [--concurrently] [--cascade] [--fallback] [--wait]}: one line on stdout per view refreshed,
 * as each finishes; a full refresh also says on stderr what it is doing and, at the end, how long it took. Exit 4 when
 * the refresh is refused (already running, or impossible as asked).
 */
@Command(name = "refresh", description = {"Refresh a materialized view or incremental aggregate (no VIEW: all).",
        "With no VIEW, every one of them, each after what it reads, concurrently where possible."},
        exitCodeList = {"0:done", "1:failed", "2:wrong usage, or a value in the environment Vista cannot use",
                "4:refused: already running, or impossible as asked"})
final class RefreshCommand implements Callable<Integer> {

    /** What a refused refresh exits with. */
    static final int REFUSED = 4;

    @Parameters(arity = "0..1", paramLabel = "VIEW", description = "The materialized view or incremental aggregate (default: all of them).")
    String view;

    @Option(names = "--concurrently", description = "REFRESH ... CONCURRENTLY: readers never wait (needs a unique index and a populated view).")
    boolean concurrently;

    @Option(names = "--cascade", description = "Also what VIEW reads from (first) and what reads it (after).")
    boolean cascade;

    @Option(names = "--fallback", description = "Refresh without CONCURRENTLY where it is impossible, instead of refusing.")
    boolean fallback;

    @Option(names = "--wait", description = "Wait for a refresh of it that is already running, then refresh, instead of refusing.")
    boolean waitIfRunning;

    @Spec
    CommandSpec spec;

    private final Invocation invocation;

    RefreshCommand(Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public Integer call() {
        if (view == null && cascade) {
            throw new ParameterException(spec.commandLine(), "refresh without a view refreshes everything already; --cascade needs a view");
        }
        var out = invocation.out();
        var printed = new ArrayList<RefreshResult>();
        try (var database = Database.open(invocation.config().database())) {
            new Migrator(database.dataSource(), ChangelogSource.classpath()).migrate();
            var refresher = invocation.refresher(database);
            if (view == null) {
                var started = System.nanoTime();
                invocation.err().println("refresh: every materialized view and incremental aggregate, in dependency order, concurrently where possible");
                var results = refresher.refreshAll(Trigger.cli, waitIfRunning, true, result -> {
                    out.println(describe(result));
                    printed.add(result);
                });
                invocation.err().printf("refresh: %d views in %.1f s%n", results.size(), (System.nanoTime() - started) / 1e9);
            } else {
                var results = refresher.refresh(new RefreshRequest(view, concurrently, cascade, fallback, waitIfRunning, Trigger.cli));
                results.forEach(r -> out.println(describe(r)));
            }
            return 0;
        } catch (RefreshException e) {
            e.completed().stream().filter(r -> !printed.contains(r)).forEach(r -> out.println(describe(r)));
            invocation.err().println("vista: " + e.getMessage());
            return switch (e.reason()) {
                case BUSY, NO_UNIQUE_INDEX, NOT_POPULATED, NOT_MATERIALIZED, UNKNOWN_VIEW -> REFUSED;
                default -> 1;
            };
        }
    }

    private static String describe(RefreshResult r) {
        return "refreshed %s (%s) in %,d ms: %,d rows%s%s%s".formatted(r.view(), r.mode(), r.durationMs(), r.rows(),
                r.watermark() == null ? "" : ", watermark " + r.watermark(),
                r.touchedBuckets() == null ? "" : ", " + r.touchedBuckets() + " buckets recomputed",
                r.note() == null ? "" : " (" + r.note() + ")");
    }
}
