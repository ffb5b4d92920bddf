package dev.vista;

import static io.javalin.apibuilder.ApiBuilder.before;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.csv.CsvExport;
import dev.vista.database.Database;
import dev.vista.database.ReadSessions;
import dev.vista.generated.DefaultSchema;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import dev.vista.refresh.Freshness;
import dev.vista.refresh.RefreshScheduler;
import dev.vista.refresh.Refresher;
import dev.vista.refresh.Trigger;
import dev.vista.report.Overview;
import dev.vista.report.ReportCatalogue;
import dev.vista.report.Reports;
import dev.vista.seed.DemoData;
import dev.vista.web.AdminAuth;
import dev.vista.web.Errors;
import dev.vista.web.HealthHandler;
import dev.vista.web.PageHandlers;
import dev.vista.web.RefreshHandlers;
import dev.vista.web.ReportHandlers;
import dev.vista.web.page.Assets;
import dev.vista.web.page.Pages;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vista: reports from PostgreSQL views, over HTTP. This class shows how the parts fit: the database is opened and
 * migrated, every long-lived part is built once here and handed to what uses it, demo data is loaded on first start,
 * the routes are declared in one place, and {@link #close} closes what was built, in order.
 */
public final class Vista implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Vista.class);

    private final Database database;
    private final DSLContext primary;
    private final ReadSessions reads;
    private final Refresher refresher;
    private final RefreshScheduler scheduler;
    private final Javalin app;
    private volatile boolean serving;

    /**
     * @param primary  the database's pool: migrations, refreshes and their history
     * @param database closed with Vista when Vista opened it; null when the caller owns the pool
     */
    private Vista(Config config, HikariDataSource primary, Database database) {
        this.database = database;
        this.primary = DSL.using(primary, SQLDialect.POSTGRES);
        var files = ChangelogSource.classpath().viewFiles();
        // Report reads get a pool of their own whose sessions are read-only with the statement timeout preset,
        // so that a page is one statement in one round trip (ReadSessions.on(primary, ...) would work too, slower).
        this.reads = ReadSessions.beside(primary, config.statementTimeout());
        var freshness = new Freshness(this.primary, files);
        this.refresher = Refresher.of(primary, files, freshness, config.refresh().timeout());
        this.scheduler = RefreshScheduler.of(refresher);
        var reports = new Reports(reads, ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, files), freshness);
        var health = new HealthHandler(primary);
        var reportHandlers = new ReportHandlers(reports, new CsvExport(reads));
        var refreshHandlers = new RefreshHandlers(refresher);
        var adminAuth = new AdminAuth(config.adminToken());
        var assets = Assets.fromClasspath();
        var pages = new PageHandlers(reports, refresher, new Pages(assets), Overview.Bounds.of(config.pages().facetTimeout(), config.pages().chartTimeout()));
        this.app = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.concurrency.useVirtualThreads = true;
            javalin.jsonMapper(new JavalinJackson().updateMapper(mapper -> mapper.findAndRegisterModules()
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)));
            // the pages' stylesheet and script (at a URL naming their hash) and uPlot's WebJar, cached for a year
            javalin.staticFiles.add(assetFiles -> {
                assetFiles.hostedPath = assets.hostedPath();
                assetFiles.directory = Assets.DIRECTORY;
                assetFiles.location = Location.CLASSPATH;
                assetFiles.headers = Map.of("Cache-Control", "public, max-age=31536000, immutable");
            });
            javalin.staticFiles.enableWebjars();
            javalin.routes.apiBuilder(() -> {
                before(PageHandlers::securityHeaders);
                get("/", pages::catalogue);
                path("/reports/{name}", () -> {
                    get(pages::report);
                    get("/filter", pages::filter);
                    get("/compare", pages::compare);
                });
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
            Errors.register(javalin, pages);
        });
    }

    /** Opens (or starts) the database, migrates it, seeds an empty one, and serves HTTP. */
    public static Vista start(Config config) {
        var started = System.nanoTime();
        var database = Database.open(config.database());
        try {
            var migration = new Migrator(database.dataSource(), ChangelogSource.classpath()).migrate();
            LOG.info("schema: {} ({} ms)", migration.summary(), migration.took().toMillis());
            var vista = new Vista(config, database.dataSource(), database);
            if (new DemoData(vista.primary, vista.refresher, Trigger.startup, LOG::info).seedIfEmpty()) {
                LOG.info("empty database: loaded the demo data (100 users, up to 1000 visits each over the last 30 days)");
            }
            vista.serving = true;
            vista.app.start(config.port());
            LOG.info("Vista is serving http://localhost:{}/ (ready in {} ms)", vista.port(), (System.nanoTime() - started) / 1_000_000);
            if (config.adminTokenGenerated()) {
                LOG.info("admin token for this run (set VISTA_ADMIN_TOKEN to choose one): {}", config.adminToken());
            }
            if (config.refresh().scheduled()) {
                vista.scheduler.start();
            }
            return vista;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * Every part of Vista over a migrated database, wired as {@link #start} wires it, with the HTTP app built but not
     * started and no schedule running: tests serve {@link #app()} against their own database, which stays theirs.
     */
    public static Vista over(Config config, HikariDataSource primary) {
        return new Vista(config, primary, null);
    }

    /** The HTTP app. */
    public Javalin app() {
        return app;
    }

    public int port() {
        return app.port();
    }

    /**
     * Cancels running refreshes (an admin request's and the scheduler's: recorded as failed, rolled back), stops the
     * scheduler and the HTTP server, then closes the read sessions' pool and the database Vista opened.
     */
    @Override
    public void close() {
        refresher.stop();
        scheduler.close();
        if (serving) {
            app.stop();
        }
        reads.close();
        if (database != null) {
            database.close();
        }
    }
}
