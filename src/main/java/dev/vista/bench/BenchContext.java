package dev.vista.bench;

import dev.vista.database.Database;
import dev.vista.database.ReadSessions;
import dev.vista.generated.DefaultSchema;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.ViewFile;
import dev.vista.refresh.Freshness;
import dev.vista.refresh.Refresher;
import dev.vista.report.Privileges;
import dev.vista.report.ReportCatalogue;
import dev.vista.report.Reports;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * What every scenario works with: the seeded database, the run's options, the report it adds lines to, progress
 * output, and Vista's parts over the database, built once as the app builds them (one Freshness, which the refresher
 * tells about each refresh, so real-time reads right after one see it).
 */
record BenchContext(Database database, Bench.Options options, BenchReport report, PrintStream out, List<ViewFile> files,
                    Freshness freshness, Refresher refresher) {

    /** A refresh may take as long as it takes at 10M visits. */
    private static final Duration REFRESH_TIMEOUT = Duration.ofHours(2);

    /** Whole reports at 10M visits stay under it. */
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(10);

    static BenchContext of(Database database, Bench.Options options, BenchReport report, PrintStream out) {
        var files = ChangelogSource.classpath().viewFiles();
        var freshness = new Freshness(DSL.using(database.dataSource(), SQLDialect.POSTGRES), files);
        return new BenchContext(database, options, report, out, files, freshness,
                Refresher.of(database.dataSource(), files, freshness, REFRESH_TIMEOUT));
    }

    DataSource dataSource() {
        return database.dataSource();
    }

    DSLContext dsl() {
        return DSL.using(dataSource(), SQLDialect.POSTGRES);
    }

    /** Vista's Java API over the benchmark's database, each read in a transaction of its own (as {@link Reports#of} reads). */
    Reports reports() {
        return reports(ReadSessions.on(dataSource(), READ_TIMEOUT));
    }

    /** Vista's Java API over {@code sessions}, e.g. read sessions made as the server makes its own ({@link #servedReads}). */
    Reports reports(ReadSessions sessions) {
        return new Reports(sessions, catalogue(), freshness, new Privileges(dsl()));
    }

    /**
     * Read sessions as the server makes them: a pool of their own, read-only with the timeout preset, so a read of one
     * statement is one round trip (see {@link ReadSessions#beside}); the caller closes them.
     */
    ReadSessions servedReads() {
        return ReadSessions.beside(database.dataSource(), READ_TIMEOUT);
    }

    ReportCatalogue catalogue() {
        return ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, files);
    }
}
