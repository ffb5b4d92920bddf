package dev.vista.report;

import static org.jooq.impl.DSL.val;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.OrderField;
import org.jooq.impl.DSL;

/**
 * Vista's reports for Java code, no HTTP involved: the catalogue, and reads that run the way the HTTP API
 * runs them, in a read-only transaction bounded by the statement timeout.
 */
public final class Reports {

    private final DSLContext dsl;
    private final ReportCatalogue catalogue;
    private final Duration statementTimeout;

    public Reports(DSLContext dsl, ReportCatalogue catalogue, Duration statementTimeout) {
        this.dsl = dsl;
        this.catalogue = catalogue;
        this.statementTimeout = statementTimeout;
    }

    public ReportCatalogue catalogue() {
        return catalogue;
    }

    /** Runs {@code work} in a read-only transaction whose statements are cancelled after the statement timeout. */
    public <T> T read(Function<DSLContext, T> work) {
        return dsl.transactionResult(tx -> {
            var t = tx.dsl();
            t.execute("SET TRANSACTION READ ONLY");
            t.select(DSL.function("set_config", String.class, val("statement_timeout"), val(statementTimeout.toMillis() + "ms"), val(true)))
                    .fetch();
            return work.apply(t);
        });
    }

    /** A stable order for a report: its key (the synthetic primary key of its view) or else its first column. */
    public static List<OrderField<?>> defaultOrder(Report report) {
        var key = report.table().getPrimaryKey();
        if (key != null) {
            return List.copyOf(key.getFields());
        }
        return List.of(report.columns().getFirst().field());
    }
}
