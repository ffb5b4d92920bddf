package dev.vista.bench;

import dev.vista.database.Database;
import dev.vista.generated.DefaultSchema;
import dev.vista.report.ReportCatalogue;
import dev.vista.report.Reports;
import java.io.PrintStream;
import java.time.Duration;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

// What every scenario works with: the seeded database, the run's options, the report it adds lines to, progress output.
record BenchContext(Database database, Bench.Options options, BenchReport report, PrintStream out) {

    DataSource dataSource() {
        return database.dataSource();
    }

    DSLContext dsl() {
        return DSL.using(dataSource(), SQLDialect.POSTGRES);
    }

    /** Vista's Java API over the benchmark's database, with a timeout that whole reports at 10M visits stay under. */
    Reports reports() {
        return new Reports(dsl(), ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA), Duration.ofMinutes(10));
    }
}
