package dev.vista;

import static io.javalin.apibuilder.ApiBuilder.before;
import static io.javalin.apibuilder.ApiBuilder.beforeMatched;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.head;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.access.TokenVerifier;
import dev.vista.config.Config;
import dev.vista.csv.CsvExport;
import dev.vista.database.Database;
import dev.vista.database.ReadSessions;
import dev.vista.database.Standbys;
import dev.vista.generated.DefaultSchema;
import dev.vista.metrics.JvmMeters;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import dev.vista.refresh.Freshness;
import dev.vista.refresh.RefreshScheduler;
import dev.vista.refresh.Refresher;
import dev.vista.refresh.Trigger;
import dev.vista.report.Overview;
import dev.vista.report.Privileges;
import dev.vista.report.ReportCatalogue;
import dev.vista.report.Reports;
import dev.vista.seed.DemoData;
import dev.vista.web.AdminAuth;
import dev.vista.web.ApiDocs;
import dev.vista.web.Authentication;
import dev.vista.web.Errors;
import dev.vista.web.HealthHandler;
import dev.vista.web.JarFiles;
import dev.vista.web.KeptAnswers;
import dev.vista.web.MetricsHandler;
import dev.vista.web.NotModifiedWithoutLength;
import dev.vista.web.PageHandlers;
import dev.vista.web.RefreshHandlers;
import dev.vista.web.ReportHandlers;
import dev.vista.web.RequestMetrics;
import dev.vista.web.SignInHandlers;
import dev.vista.web.page.Assets;
import dev.vista.web.page.Pages;
import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Optional;
import org.eclipse.jetty.server.ServerConnector;
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

    /** The JDK's property for how virtual threads wait on sockets: set by {@link dev.vista.cli.Main} as {@link #platformPollers} says. */
    public static final String POLLER_MODE = "jdk.pollerMode";

    /**
     * The poller mode for virtual threads that Vista asks the JDK for, when it asks: {@code 1}, pollers on platform
     * threads of their own, on Linux and JDK 21 to 25. Every request runs on a virtual thread, and each read from
     * PostgreSQL that has to wait parks it until a poller sees the socket readable. By default those JDKs run Linux's
     * pollers as virtual threads themselves (mode 2), woken through a master poller: one hand-off more per wait. With
     * mode 1 a 100-row page read at 8 connections takes a tenth to a fifth less of Vista's CPU (JDK 25, 2 cores; by
     * hand, three servers on one database, rounds alternating, and {@code vista bench}'s line against a second Vista
     * with the default). Empty, and the JDK keeps its default: when the mode is given ({@code -Djdk.pollerMode=2} stands),
     * elsewhere than Linux (macOS and Windows poll on platform threads already), and on other JDKs: the property is
     * the JDK's own, not a standard one, and a mode it does not know would fail every wait.
     */
    public static Optional<String> platformPollers(String given, int javaFeature, String osName) {
        if (given != null || javaFeature < 21 || javaFeature > 25 || !osName.startsWith("Linux")) {
            return Optional.empty();
        }
        return Optional.of("1");
    }

    /** Request line and headers together (Jetty's limit): longer is a 414 or 431 with a JSON body, never a 500. */
    static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;

    private final Config config;
    private final TokenVerifier verifier;
    private final Database database;
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmMeters jvmMeters = JvmMeters.bindTo(meters);
    private final DSLContext primary;
    private final ReadSessions reads;
    private final CsvExport csv;
    /** VISTA_READ_URL's hot standbys; null without one. */
    private final Standbys standbys;
    private final Refresher refresher;
    private final RefreshScheduler scheduler;
    private final Javalin app;
    private volatile boolean serving;

    /**
     * @param primary  the database's pool: migrations, refreshes and their history, advisory locks; report reads go to
     *                 the hot standbys of VISTA_READ_URL where one is fit
     * @param database closed with Vista when Vista opened it; null when the caller owns the pool
     */
    private Vista(Config config, HikariDataSource primary, Database database) {
        this.config = config;
        this.database = database;
        this.primary = DSL.using(primary, SQLDialect.POSTGRES);
        // tokens checked here, PostgreSQL's grants and policies apply in the read sessions (DESIGN.md, Access)
        this.verifier = TokenVerifier.of(config.access());
        // Meters: JVM and process (above), both pools (Hikari's own tracker; a pool handed in that reports elsewhere
        // already is left there), refreshes and view ages (by the refresher), HTTP requests and report rows (RequestMetrics),
        // and with VISTA_READ_URL the standbys' pool, lag, fitness and failovers (Standbys.measure).
        Database.measure(primary, meters);
        var files = ChangelogSource.classpath().viewFiles();
        var freshness = new Freshness(this.primary, files);
        // Report reads get a pool of their own whose sessions are read-only with the statement timeout preset,
        // so that a page is one statement in one round trip (ReadSessions.on(primary, ...) would work too, slower);
        // with VISTA_READ_URL they go to its hot standbys where one is fit, the sampler telling freshness what each holds.
        this.standbys = Standbys.open(config.replicas(), config.statementTimeout(), primary, freshness::sampledOn).orElse(null);
        var readers = ReadSessions.beside(primary, config.statementTimeout(), meters);
        this.reads = standbys == null ? readers : readers.readingFrom(standbys.measure(meters));
        this.refresher = Refresher.of(primary, files, freshness, config.refresh().timeout(), meters);
        this.scheduler = RefreshScheduler.of(refresher);
        // what each role may read is asked as Vista, on the primary, never as the caller
        var reports = new Reports(reads, ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, files), freshness, new Privileges(this.primary));
        var health = new HealthHandler(primary);
        var authentication = new Authentication(verifier, config.access().trustProxy());
        this.csv = new CsvExport(reads);
        var reportHandlers = new ReportHandlers(reports, csv, authentication, KeptAnswers.upTo(config.answerCacheMegabytes(), meters));
        var refreshHandlers = new RefreshHandlers(refresher, reports, authentication);
        var adminAuth = new AdminAuth(config.adminToken(), config.access().adminRoles(), authentication);
        var metrics = new MetricsHandler(meters);
        var docs = new ApiDocs();
        var assets = Assets.fromClasspath();
        var assetFiles = new JarFiles(Assets.DIRECTORY);
        var webJars = new JarFiles("/META-INF/resources/webjars");
        var templates = new Pages(assets);
        var pages = new PageHandlers(reports, refresher, authentication, templates,
                Overview.Bounds.of(config.pages().facetTimeout(), config.pages().chartTimeout()));
        var signIn = new SignInHandlers(authentication, templates);
        this.app = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.concurrency.useVirtualThreads = true;
            javalin.jetty.modifyHttpConfiguration(http -> {
                http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
                // Jetty keeps a cache of header fields per connection, about 100 KB each at its default size: 256
                // keep-alive clients held 25 MB of it, and on a 256 MB heap G1 then marked concurrently after almost
                // every young collection (256 connections answered 0.88 of what 8 did; without it 0.98-1.0, and 8
                // connections no slower). Parsing a few header lines anew per request is the cheaper side.
                http.setHeaderCacheSize(0);
                http.addCustomizer(new NotModifiedWithoutLength());
            });
            javalin.jsonMapper(new JavalinJackson().updateMapper(mapper -> mapper.findAndRegisterModules()
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)));
            javalin.routes.apiBuilder(() -> {
                before(PageHandlers::securityHeaders);
                read("/", pages::catalogue);
                path("/reports/{name}", () -> {
                    read("", pages::report);
                    read("/filter", pages::filter);
                    read("/compare", pages::compare);
                });
                // the pages' stylesheet and scripts (at a URL naming their hash) and the WebJars, cached for a year
                read(assets.hostedPath() + "/<path>", assetFiles::serve);
                read("/webjars/<path>", webJars::serve);
                read("/health", health::check);
                read("/login", signIn::page);
                post("/login", signIn::signIn);
                post("/logout", signIn::signOut);
                beforeMatched("/metrics", adminAuth::require);
                read("/metrics", metrics::scrape);
                path("/api", () -> {
                    read("/reports", reportHandlers::list);
                    read("/reports/{name}", reportHandlers::rows);
                    read("/reports/{name}/compare", reportHandlers::compare);
                    read("/openapi.json", reportHandlers::openApi);
                    read("/docs", docs::page);
                    read("/docs/init.js", docs::script);
                    read("/views", refreshHandlers::views);
                    beforeMatched("/admin/*", adminAuth::require);
                    post("/admin/views/{name}/refresh", refreshHandlers::refresh);
                });
            });
            Errors.register(javalin, pages);
            new RequestMetrics(meters, config.requestLog()).register(javalin);
        });
    }

    /**
     * A GET route that answers HEAD too, as GET without its body (RFC 9110, 9.3.2): same status, same headers. Left to
     * itself, Javalin answers HEAD for a GET route with an empty 200 without running it, so that HEAD of an unknown
     * report said 200 and no validators.
     */
    private static void read(String path, Handler handler) {
        get(path, handler);
        head(path, handler);
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
            vista.listen();
            LOG.info("ready in {} ms", (System.nanoTime() - started) / 1_000_000);
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

    /**
     * Starts serving HTTP on {@code VISTA_HOST} (127.0.0.1 unless told otherwise: this machine only) and
     * {@code VISTA_PORT}, and says where and whether tokens are required.
     */
    public Vista listen() {
        serving = true;
        app.start(config.host(), config.port());
        var address = address();
        var reach = address.getAddress().isLoopbackAddress() ? "this machine only; VISTA_HOST=0.0.0.0 serves every interface"
                : address.getAddress().isAnyLocalAddress() ? "every interface" : "the interface of " + address.getAddress().getHostAddress();
        LOG.info("Vista is serving http://{}:{}/ (listening on {}: {}); {}", config.host(), address.getPort(),
                address.getAddress().getHostAddress(), reach, verifier.describe());
        return this;
    }

    /** The address the server is bound to (after {@link #listen}). */
    public InetSocketAddress address() {
        for (var connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof ServerConnector server && server.getTransport() instanceof ServerSocketChannel channel) {
                try {
                    return (InetSocketAddress) channel.getLocalAddress();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("Vista is not listening");
    }

    /** VISTA_READ_URL's hot standbys (their state and counters, e.g. for metrics); empty without one. */
    public Optional<Standbys> standbys() {
        return Optional.ofNullable(standbys);
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
     * scheduler and the HTTP server, then closes the CSV export's threads, the read sessions' pool, the standbys', the
     * database Vista opened and the meters.
     */
    @Override
    public void close() {
        refresher.stop();
        scheduler.close();
        if (serving) {
            app.stop();
        }
        csv.close();
        reads.close();
        if (standbys != null) {
            standbys.close();
        }
        if (database != null) {
            database.close();
        }
        jvmMeters.close();
        meters.close();
    }
}
