package dev.vista.cli;

import dev.vista.config.Config;
import dev.vista.database.Database;
import dev.vista.migrate.ChangelogSource;
import dev.vista.refresh.Freshness;
import dev.vista.refresh.Refresher;
import java.io.PrintStream;
import java.util.function.Supplier;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * One run of the command line, as its commands see it: where they write, and the configuration, read from the
 * environment when a command first asks for it (so {@code --help} works whatever the environment holds).
 */
record Invocation(Supplier<Config> configuration, PrintStream out, PrintStream err) {

    /** The environment's configuration, or a ConfigException naming the variable at fault (exit code 2). */
    Config config() {
        return configuration.get();
    }

    /** The refresher of a command: db/views as packaged with Vista, the refresh timeout of the environment. */
    Refresher refresher(Database database) {
        var files = ChangelogSource.classpath().viewFiles();
        var freshness = new Freshness(DSL.using(database.dataSource(), SQLDialect.POSTGRES), files);
        return Refresher.of(database.dataSource(), files, freshness, config().refresh().timeout());
    }
}
