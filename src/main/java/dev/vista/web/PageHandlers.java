package dev.vista.web;

import dev.vista.access.Caller;
import dev.vista.access.InvalidTokenException;
import dev.vista.refresh.Freshness;
import dev.vista.refresh.Refresher;
import dev.vista.refresh.ViewStatus;
import dev.vista.report.Overview;
import dev.vista.report.Report;
import dev.vista.report.ReportQuery;
import dev.vista.report.Reports;
import dev.vista.web.page.CatalogueView;
import dev.vista.web.page.CompareView;
import dev.vista.web.page.ErrorView;
import dev.vista.web.page.FilterForm;
import dev.vista.web.page.Links;
import dev.vista.web.page.Pages;
import dev.vista.web.page.ReportView;
import dev.vista.web.page.Visitor;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The pages for people: the catalogue, a report, the comparison of its sources, and errors as pages. A report page
 * takes exactly the API's parameters and reads its rows with the query the API would run ({@link ReportRequest#page}),
 * as the same caller ({@link Authentication}: a bearer token, or the sign-in cookie), so {@code /reports/x?q} shows the
 * rows of {@code /api/reports/x?q}. Each handler reads the request, asks {@link Reports} once, and renders a view model
 * of {@code web.page}. Every page's header says who is signed in; a page that needs a token the browser lacks is a 401
 * page linking to the sign-in page, which comes back to it ({@link SignInHandlers}).
 */
public final class PageHandlers {

    /**
     * The page's own rules, sent with every page: scripts, styles, images and form targets from Vista only, no inline
     * script or style, no framing.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static final Pattern REPORT_PATH = Pattern.compile("/reports/([^/]+)(/filter)?");

    private final Reports all;
    private final Refresher refresher;
    private final Authentication authentication;
    private final Pages pages;
    private final Overview.Bounds bounds;

    public PageHandlers(Reports reports, Refresher refresher, Authentication authentication, Pages pages, Overview.Bounds bounds) {
        this.all = reports;
        this.refresher = refresher;
        this.authentication = authentication;
        this.pages = pages;
        this.bounds = bounds;
    }

    /** GET /: every report, with its kind, columns, freshness and links. */
    public void catalogue(Context ctx) {
        var reports = all.as(authentication.caller(ctx));
        var listed = reports.catalogue().all();
        var freshness = new LinkedHashMap<String, Freshness.Summary>();
        listed.forEach(report -> reports.freshness(report).ifPresent(f -> freshness.put(report.name(), f)));
        var stored = refresher.views().stream().collect(Collectors.toMap(ViewStatus::name, Function.identity()));
        html(ctx, 200, pages.catalogue(CatalogueView.of(pages.assets(), visitor(ctx), listed, freshness, stored)));
    }

    /**
     * GET /reports/{name}: the rows of /api/reports/{name} with the same parameters, with form, facets, chart and total.
     * A page of stored rows carries validators as the API's answers do ({@link ConditionalGet}), made of the refresh,
     * the URL, the visitor the header names and the pages' edition, so that a browser's copy is revalidated with a
     * 304 without reading the view; a page with a part left out has none, for the next request may do better.
     */
    public void report(Context ctx) {
        var caller = authentication.caller(ctx);
        var reports = all.as(caller);
        var report = reports.report(ctx.pathParam("name"));
        var params = ctx.queryParamMap();
        var asked = ReportQuery.parse(params);
        var query = ReportRequest.page(asked);
        var read = reports.prepare(report.name(), query);
        var visitor = visitor(ctx);
        var tag = read.stored() ? ConditionalGet.query(read, variant(ctx, caller, visitor)) : null;
        ctx.header(Header.VARY, "Cookie, Authorization");
        ctx.header(Header.CACHE_CONTROL, "private");
        if (ConditionalGet.answeredNotModified(ctx, read, tag)) {
            return;
        }
        var overview = reports.overview(read, bounds);
        var freshness = reports.freshness(report);
        overview.provenance().replicaLag().ifPresent(lag -> ctx.header(ReportHandlers.REPLICA_LAG, ReportHandlers.seconds(lag)));
        validators(ctx, tag, overview, freshness);
        html(ctx, 200, pages.report(ReportView.of(pages, visitor, report, asked, params, query.limit().orElseThrow(), overview, freshness)));
    }

    /**
     * What makes a report page's bytes besides its rows and their moment: the URL (every parameter, as sent), who
     * reads and who the header says is signed in, and the edition of the templates.
     */
    private String variant(Context ctx, Caller caller, Visitor visitor) {
        return "page " + pages.edition() + ConditionalGet.caller(caller) + " tokens=" + visitor.tokens() + " signed-in=" + visitor.role()
                + " cookie=" + visitor.cookie() + " query=" + ctx.queryString();
    }

    /**
     * A page's validators as its rows were read (on a standby, as it holds them), set only when the page is whole and
     * the moment its header shows is that one; else none, not even those {@link ConditionalGet} set before the read.
     */
    private static void validators(Context ctx, String tag, Overview overview, Optional<Freshness.Summary> freshness) {
        var asOf = overview.provenance().asOf();
        var exact = tag != null && overview.whole() && asOf.isPresent()
                && freshness.map(Freshness.Summary::lastRefreshedAt).filter(shown -> shown.isEqual(asOf.get())).isPresent();
        ctx.res().setHeader(Header.ETAG, exact ? ConditionalGet.etag(tag, asOf.get()) : null);
        ctx.res().setHeader(Header.LAST_MODIFIED, exact ? ReportHandlers.HTTP_DATE.format(asOf.get()) : null);
    }

    /** GET /reports/{name}/filter: the filter form, submitted, sent on to the report's canonical URL (303). */
    public void filter(Context ctx) {
        var report = all.as(authentication.caller(ctx)).report(ctx.pathParam("name"));
        ctx.redirect("/reports/" + report.name() + Links.query(FilterForm.submitted(ctx.queryParamMap())), HttpStatus.SEE_OTHER);
    }

    /** GET /reports/{name}/compare: the same filters on every source, side by side. */
    public void compare(Context ctx) {
        var reports = all.as(authentication.caller(ctx));
        var report = reports.report(ctx.pathParam("name"));
        var query = ReportQuery.parse(ctx.queryParamMap());
        var comparison = reports.compare(report.name(), query, provenance -> ctx.res().setHeader(ReportHandlers.REPLICA_LAG,
                provenance.replicaLag().map(ReportHandlers::seconds).orElse(null)));
        html(ctx, 200, pages.compare(CompareView.of(pages.assets(), visitor(ctx), report, query, comparison, reports.freshness(report))));
    }

    /**
     * Whether an error on this request is answered with a page: the page routes always, other paths outside /api when
     * the client asks for HTML (a browser); JSON clients and /api keep their JSON errors.
     */
    boolean answersWithPage(Context ctx) {
        var path = ctx.path();
        if (path.equals("/api") || path.startsWith("/api/") || path.equals("/health") || path.startsWith("/webjars/")
                || path.startsWith(pages.assets().hostedPath())) {
            return false;
        }
        if (path.equals("/") || path.startsWith("/reports/")) {
            return true;
        }
        return asksForHtml(ctx);
    }

    /** Whether the client asks for HTML: a browser. */
    static boolean asksForHtml(Context ctx) {
        var accept = ctx.header(Header.ACCEPT);
        return accept != null && accept.contains("text/html");
    }

    /**
     * An error as a page; a 400 on a report page shows its form, the message next to {@code parameter}'s field (a 400
     * comes after the caller was known, so asking for it again cannot fail).
     */
    void error(Context ctx, int status, ApiError error, String parameter) {
        var matcher = REPORT_PATH.matcher(ctx.path());
        var reports = status == 400 && matcher.matches() ? Optional.of(all.as(authentication.caller(ctx))) : Optional.<Reports>empty();
        var report = reports.flatMap(r -> r.catalogue().find(matcher.group(1)));
        var visitor = visitor(ctx);
        var view = report.map(r -> ErrorView.badQuery(pages.assets(), visitor, r, ctx.queryParamMap(), parameter, error.message(),
                        error.hint(), r.kind().stored() && reports.orElseThrow().freshness(r).filter(Freshness.Summary::realtime).isPresent()))
                .orElseGet(() -> ErrorView.of(pages.assets(), visitor, status, error.message(), error.hint()));
        html(ctx, status, pages.error(view));
    }

    /** A page that needs a token the request lacks, or whose token was refused: 401, and the way to sign in and back. */
    void unauthorized(Context ctx, InvalidTokenException e) {
        var refused = Optional.of(e).filter(t -> t.kind() == InvalidTokenException.Kind.INVALID).map(InvalidTokenException::getMessage);
        html(ctx, 401, pages.error(ErrorView.unauthorized(pages.assets(), visitor(ctx), refused, here(ctx))));
    }

    /** Who the browser is, for the page's header; its "Sign in" comes back to this page. */
    private Visitor visitor(Context ctx) {
        return authentication.visitor(ctx).comingBackTo(here(ctx));
    }

    /** This page's path and query, to come back to after signing in: a GET's, when it is a local path; else the catalogue. */
    private static String here(Context ctx) {
        if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD) {
            return Links.catalogue();
        }
        var query = ctx.queryString();
        return Links.local(ctx.path() + (query == null || query.isEmpty() ? "" : "?" + query)).orElse(Links.catalogue());
    }

    static void html(Context ctx, int status, byte[] body) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        // a page is one caller's view of rows that change: kept by no shared cache, asked again each time
        ctx.header(Header.CACHE_CONTROL, "private, no-cache");
        ctx.status(status).contentType("text/html; charset=utf-8").result(body);
    }

    /** Sent with every response: no MIME sniffing, and no page URL (with its filters) sent to other sites. */
    public static void securityHeaders(Context ctx) {
        ctx.header(Header.X_CONTENT_TYPE_OPTIONS, "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
    }
}
