package dev.vista.cli;

import dev.vista.database.Database;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import dev.vista.refresh.Trigger;
import dev.vista.seed.DemoData;
import java.util.concurrent.Callable;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

// vista seed --visits N [--users N]: replace all data with generated visits, saying how far it has got.
@Command(name = "seed", description = {"Replace all data with N generated visits; refresh the stored views.",
        "Deterministic, generated inside PostgreSQL; progress every million rows."},
        exitCodeList = {"0:done", "1:failed", "2:wrong usage, or a value in the environment Vista cannot use"})
final class SeedCommand implements Callable<Integer> {

    @Option(names = "--visits", paramLabel = "N", required = true, converter = WholeNumber.class, description = "How many visits.")
    long visits;

    @Option(names = "--users", paramLabel = "N", converter = WholeNumber.class, defaultValue = "1000",
            description = "How many users they belong to (default: ${DEFAULT-VALUE}).")
    long users;

    private final Invocation invocation;

    SeedCommand(Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public Integer call() {
        var out = invocation.out();
        try (var database = Database.open(invocation.config().database())) {
            new Migrator(database.dataSource(), ChangelogSource.classpath()).migrate();
            var demo = new DemoData(DSL.using(database.dataSource(), SQLDialect.POSTGRES), invocation.refresher(database), Trigger.cli,
                    line -> out.println("seed: " + line));
            var users = Math.toIntExact(this.users);
            var timing = demo.seed(visits, users);
            out.printf("seeded %,d visits for %,d users in %.1f s (visits loaded with their indexes and keys in %.1f s, %,.0f rows/s)%n",
                    visits, users, timing.total().toMillis() / 1e3, timing.visits().toMillis() / 1e3, visits / (timing.visits().toMillis() / 1e3));
            return 0;
        }
    }
}
