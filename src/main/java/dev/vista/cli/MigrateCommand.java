package dev.vista.cli;

import dev.vista.database.Database;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

// vista migrate [--plan | --check]: apply db/, or say what applying it would do.
@Command(name = "migrate", description = {"Apply db/: pending table changesets, then the views.",
        "Tables and views in one transaction, under an advisory lock: a migration that fails changes nothing."},
        exitCodeList = {"0:done (or, with --plan and --check, nothing to do)", "1:failed", "2:wrong usage, or a value in the environment Vista cannot use",
                "3:--check: the database differs from db/"})
final class MigrateCommand implements Callable<Integer> {

    /** What {@code --check} exits with when the database differs from db/. */
    static final int DIFFERS = 3;

    static final class Mode {
        @Option(names = "--plan", description = "Print what migrate would create, replace, drop and repopulate; change nothing.")
        boolean plan;

        @Option(names = "--check", description = "Exit 3 when the database differs from db/ (pending changes, or a view edited by hand), naming what differs.")
        boolean check;
    }

    @ArgGroup(exclusive = true)
    Mode mode = new Mode();

    private final Invocation invocation;

    MigrateCommand(Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public Integer call() {
        var out = invocation.out();
        try (var database = Database.open(invocation.config().database())) {
            var migrator = new Migrator(database.dataSource(), ChangelogSource.classpath());
            if (!mode.plan && !mode.check) {
                var result = migrator.migrate();
                out.println("migrated in " + result.took().toMillis() + " ms: " + result.summary());
                return 0;
            }
            var plan = migrator.plan();
            if (plan.changedNothing()) {
                out.println("up to date: the database matches db/");
                return 0;
            }
            out.println(mode.plan ? "migrate would (nothing was changed):" : "the database differs from db/; migrate would:");
            plan.lines().forEach(line -> out.println("  " + line));
            return mode.check ? DIFFERS : 0;
        }
    }
}
