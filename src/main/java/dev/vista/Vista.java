package dev.vista;

import static io.javalin.apibuilder.ApiBuilder.before;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;

import dev.vista.csv.CsvExport;
import dev.vista.database.Database;
import dev.vista.database.ReaderPool;
import dev.vista.generated.DefaultSchema;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import dev.vista.refresh.RefreshHandlers;
import dev.vista.refresh.RefreshScheduler;
import dev.vista.refresh.Refresher;
import dev.vista.report.ReportCatalogue;
import dev.vista.report.Reports;
import dev.vista.seed.DemoData;
import dev.vista.web.AdminAuth;
import dev.vista.web.Errors;
import dev.vista.web.HealthHandler;
import dev.vista.web.ReportHandlers;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vista: reports from PostgreSQL views, over HTTP. This class shows how the parts fit: the database is
 * opened and migrated, demo data is loaded on first start, and the routes are declared in one place.
 */
public final class Vista implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Vista.class);

    private final Database database;
    private final Javalin app;
    private final RefreshScheduler scheduler;

    private Vista(Database database, Javalin app, RefreshScheduler scheduler) {
        this.database = database;
        this.app = app;
        this.scheduler = scheduler;
    }

    /** Opens (or starts) the database, migrates it, seeds an empty one, and serves HTTP. */
    public static Vista start(Config config) {
        var started = System.nanoTime();
        var database = Database.open(config.database());
        try {
            var migration = new Migrator(database.dataSource(), ChangelogSource.classpath()).migrate();
            LOG.info("schema: {} ({} ms)", migration.summary(), migration.took().toMillis());
            var dsl = DSL.using(database.dataSource(), SQLDialect.POSTGRES);
            if (new DemoData(dsl, LOG::info).seedIfEmpty()) {
                LOG.info("empty database: loaded the demo data (100 users, up to 1000 visits each this month)");
            }
            var app = app(config, database.dataSource()).start(config.port());
            LOG.info("Vista is serving http://localhost:{}/api/reports (ready in {} ms)", app.port(), (System.nanoTime() - started) / 1_000_000);
            if (config.adminTokenGenerated()) {
                LOG.info("admin token for this run (set VISTA_ADMIN_TOKEN to choose one): {}", config.adminToken());
            }
            var scheduler = RefreshScheduler.of(Refresher.of(database.dataSource(), config.refresh().timeout()));
            if (config.refresh().scheduled()) {
                scheduler.start();
            }
            return new Vista(database, app, scheduler);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** The HTTP API over a migrated database; tests build exactly this against their own database. */
    public static Javalin app(Config config, DataSource dataSource) {
        var catalogue = ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA);
        var readers = ReaderPool.beside(dataSource, config.statementTimeout());
        var reports = readers.map(pool -> Reports.onReadOnlySessions(DSL.using(pool.dataSource(), SQLDialect.POSTGRES), catalogue, config.statementTimeout()))
                .orElseGet(() -> new Reports(DSL.using(dataSource, SQLDialect.POSTGRES), catalogue, config.statementTimeout()));
        var health = new HealthHandler(dataSource);
        var refresher = Refresher.of(dataSource, config.refresh().timeout());
        var reportHandlers = new ReportHandlers(reports, new CsvExport(dataSource, config.statementTimeout()), refresher.freshness());
        var refreshHandlers = new RefreshHandlers(refresher);
        var adminAuth = new AdminAuth(config.adminToken());
        return Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.concurrency.useVirtualThreads = true;
            javalin.jsonMapper(new JavalinJackson().updateMapper(mapper -> mapper.findAndRegisterModules()
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)));
            javalin.routes.apiBuilder(() -> {
                get("/health", health::check);
                path("/api", () -> {
                    get("/reports", reportHandlers::list);
                    get("/reports/{name}", reportHandlers::rows);
                    get("/reports/{name}/compare", reportHandlers::compare);
                    get("/openapi.json", reportHandlers::openApi);
                    get("/views", refreshHandlers::views);
                    before("/admin/*", adminAuth::require);
                    post("/admin/views/{name}/refresh", refreshHandlers::refresh);
                });
            });
            Errors.register(javalin);
            readers.ifPresent(pool -> javalin.events.serverStopped(pool::close));
        });
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        scheduler.close();
        app.stop();
        database.close();
    }
}
