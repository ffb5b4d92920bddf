package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vista.access.TokenSigner;
import dev.vista.config.Config;
import dev.vista.testing.AccessFixture;
import dev.vista.testing.TestApp;
import io.javalin.testtools.FormBody;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sign-in page over HTTP: {@code GET /login} (the form, who the browser is, where tokens come from), a browser's
 * {@code POST /login} (on to {@code next}, never to another site; a refused token shows the page again with the reason
 * next to the field, 401), signing out, the header of every page, and the 401 page of a page that needs a token, which
 * links to the sign-in page and back. API clients keep their JSON (AccessTest).
 */
class SignInTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    static AccessFixture fixture;
    /** Tokens required: no anonymous role. */
    static Config required;

    @BeforeAll
    static void database() {
        fixture = AccessFixture.create("sign_in");
        required = fixture.config("VISTA_ANON_ROLE", null);
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    static String header(Response response, String name) {
        var values = response.headers().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** GET {@code path} as a browser, with {@code cookie} (a token, or null). */
    static Response browse(HttpClient client, String path, String cookie) {
        return client.get(path, request -> {
            request.header("Accept", HTML);
            if (cookie != null) {
                request.header("Cookie", "vista_token=" + cookie);
            }
        });
    }

    static Document parse(Response response) throws Exception {
        assertThat(header(response, "Content-Type")).startsWith("text/html");
        assertThat(header(response, "Content-Security-Policy")).isEqualTo(PageHandlers.CONTENT_SECURITY_POLICY);
        return Jsoup.parse(response.body().string());
    }

    /** A browser's form post of the sign-in page: same origin, HTML accepted. */
    static Response post(HttpClient client, String path, Map<String, String> fields) {
        return client.request(path, request -> {
            var form = new FormBody.Builder();
            fields.forEach(form::add);
            request.post(form.build()).header("Accept", HTML).header("Sec-Fetch-Site", "same-origin");
        });
    }

    static String expired(String role) {
        return TokenSigner.of(fixture.config().access()).sign(role, Optional.empty(), Duration.ofMinutes(5), Map.of(),
                Instant.now().minus(Duration.ofHours(1)));
    }

    @Test
    void the_sign_in_page_has_a_labelled_password_field_a_submit_button_and_says_where_tokens_come_from() {
        TestApp.serve(fixture.config(), fixture.vista, (server, client) -> {
            var response = browse(client, "/login?next=/reports/visits_summary?section=eq.index", null);
            assertThat(response.code()).isEqualTo(200);
            assertThat(header(response, "Cache-Control")).isEqualTo("private, no-cache");
            var page = parse(response);
            assertThat(page.title()).isEqualTo("Sign in · Vista");
            assertThat(page.selectFirst("h1").text()).isEqualTo("Sign in");
            var form = page.selectFirst("form.sign-in-form");
            assertThat(form.attr("method")).isEqualTo("post");
            assertThat(form.attr("action")).isEqualTo("/login");
            var token = form.selectFirst("input[name=token]");
            assertThat(token.attr("type")).isEqualTo("password");
            assertThat(token.attr("id")).isEqualTo("token");
            assertThat(token.hasAttr("aria-invalid")).isFalse();
            assertThat(form.selectFirst("label[for=token]").text()).isEqualTo("Token");
            assertThat(form.selectFirst("input[type=hidden][name=next]").attr("value")).isEqualTo("/reports/visits_summary?section=eq.index");
            assertThat(form.selectFirst("button[type=submit]").text()).isEqualTo("Sign in");
            assertThat(page.selectFirst(".sign-in-status p").text())
                    .isEqualTo("You are not signed in: pages show what the role " + fixture.anon + " may read.");
            assertThat(page.selectFirst(".sign-in-status form")).as("nothing to sign out of").isNull();
            assertThat(page.selectFirst(".token-help").text()).contains("vista token --role R").contains("identity provider");
            assertThat(page.select("[style], style, script:not([src])")).isEmpty();
            assertThat(page.selectFirst(".site-header .account").text()).as("no link to the page itself").isEmpty();
        });
        TestApp.serve(required, fixture.vista, (server, client) -> {
            var page = parse(browse(client, "/login", null));
            assertThat(page.selectFirst(".sign-in-status p").text()).isEqualTo("You are not signed in, and the pages here need a token.");
            assertThat(page.selectFirst("input[name=next]")).as("no next: the catalogue").isNull();
        });
    }

    @Test
    void the_sign_in_page_says_who_the_browser_is_signed_in_as_until_when_and_offers_to_sign_out() {
        var now = Instant.now();
        var token = TokenSigner.of(fixture.config().access()).sign(fixture.analyst, Optional.empty(), Duration.ofHours(8), Map.of(), now);
        var exp = now.plus(Duration.ofHours(8)).truncatedTo(ChronoUnit.SECONDS);
        TestApp.serve(required, fixture.vista, (server, client) -> {
            var page = parse(browse(client, "/login", token));
            var status = page.selectFirst(".sign-in-status");
            assertThat(status.selectFirst("p").text()).matches("You are signed in as " + fixture.analyst
                    + ", until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\((in 7 h|in 8 h)\\)\\.");
            assertThat(status.selectFirst("time").attr("datetime")).isEqualTo(exp.toString());
            var signOut = status.selectFirst("form");
            assertThat(signOut.attr("action")).isEqualTo("/logout");
            assertThat(signOut.attr("method")).isEqualTo("post");
            assertThat(signOut.selectFirst("button[type=submit]").text()).isEqualTo("Sign out");
            assertThat(page.selectFirst("#form-heading").text()).isEqualTo("Sign in with another token");
            assertThat(page.selectFirst(".site-header .account").text()).isEqualTo("Signed in as " + fixture.analyst + " Sign out");

            // a proxy's Authorization header: the role it names, nothing to sign out of here
            var proxied = parse(client.get("/login", r -> r.header("Accept", HTML).header("Authorization", "Bearer " + token)));
            assertThat(proxied.selectFirst(".sign-in-status p").text()).contains("Authorization").contains("you read as " + fixture.analyst);
            assertThat(proxied.selectFirst(".sign-in-status form")).isNull();
            assertThat(proxied.selectFirst(".site-header .account").text()).isEqualTo("Signed in as " + fixture.analyst);

            var stale = parse(browse(client, "/login", expired(fixture.analyst)));
            assertThat(stale.selectFirst(".sign-in-status p").text())
                    .isEqualTo("You are not signed in: the token this browser signed in with is not accepted. The token has expired.");
            assertThat(stale.selectFirst(".sign-in-status form").attr("action")).as("signing out forgets it").isEqualTo("/logout");
        });
    }

    @Test
    void signing_in_from_the_form_sets_the_cookie_and_sends_the_browser_on_to_next() {
        var token = fixture.token(fixture.restricted, "2");
        TestApp.serve(required, fixture.vista, (server, client) -> {
            var signIn = post(client, "/login", Map.of("token", token, "next", "/reports/visit_log?order=visit_time&user_id=eq.2"));
            assertThat(signIn.code()).isEqualTo(303);
            assertThat(header(signIn, "Location")).isEqualTo("/reports/visit_log?order=visit_time&user_id=eq.2");
            assertThat(header(signIn, "Set-Cookie")).isEqualTo("vista_token=" + token + "; Path=/; HttpOnly; SameSite=Strict");

            var withoutNext = post(client, "/login", Map.of("token", token));
            assertThat(header(withoutNext, "Location")).isEqualTo("/");

            var page = parse(browse(client, "/reports/visit_log?order=visit_time", token));
            assertThat(page.selectFirst(".site-header .account p").text()).isEqualTo("Signed in as " + fixture.restricted);
            assertThat(page.selectFirst(".site-header .account form").attr("action")).isEqualTo("/logout");

            // an API client that sends next still gets JSON: next is for browsers
            var api = client.request("/login", r -> r.post(new FormBody.Builder().add("token", token).add("next", "/reports/visit_log").build()));
            assertThat(api.code()).isEqualTo(200);
            assertThat(JSON.readTree(api.body().string()).get("role").asText()).isEqualTo(fixture.restricted);
        });
    }

    @Test
    void a_next_that_leads_to_another_site_sends_the_browser_to_the_catalogue_instead() {
        var token = fixture.token(fixture.analyst, null);
        var elsewhere = List.of("//evil.example", "//evil.example/reports/x", "https://evil.example", "https://evil.example/",
                "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example", " //evil.example", "javascript:alert(1)",
                "evil.example", "reports/x", "http:/evil.example", "");
        TestApp.serve(required, fixture.vista, (server, client) -> {
            for (var next : elsewhere) {
                var signIn = post(client, "/login", Map.of("token", token, "next", next));
                assertThat(signIn.code()).as(next).isEqualTo(303);
                assertThat(header(signIn, "Location")).as(next).isEqualTo("/");
                var page = parse(browse(client, "/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8), null));
                assertThat(page.selectFirst("input[name=next]")).as("the page does not carry " + next).isNull();
            }
            // a path of this site, however odd, is kept as it is
            assertThat(header(post(client, "/login", Map.of("token", token, "next", "/reports/x/..%2F..%2Fapi?a=//b")), "Location"))
                    .isEqualTo("/reports/x/..%2F..%2Fapi?a=//b");
        });
    }

    @Test
    void a_refused_token_from_a_browser_shows_the_sign_in_page_again_with_the_reason_next_to_the_field() {
        var expired = expired(fixture.analyst);
        TestApp.serve(required, fixture.vista, (server, client) -> {
            for (var refusal : List.of(
                    Map.entry("not-a-token", "This token was not accepted: the token is not a JWT (header.payload.signature, base64url-encoded JSON)."),
                    Map.entry(expired, "This token was not accepted: the token has expired."),
                    Map.entry("   ", "Paste a token to sign in."))) {
                var response = post(client, "/login", Map.of("token", refusal.getKey(), "next", "/reports/visit_log"));
                assertThat(response.code()).isEqualTo(401);
                assertThat(header(response, "Set-Cookie")).isNull();
                assertThat(header(response, "WWW-Authenticate")).startsWith("Bearer realm=\"vista\"");
                var body = response.body().string();
                assertThat(body).as("a token is never written back").doesNotContain(expired);
                var page = Jsoup.parse(body);
                var field = page.selectFirst("input#token");
                assertThat(field.attr("aria-invalid")).isEqualTo("true");
                assertThat(field.hasAttr("value")).isFalse();
                assertThat(field.hasAttr("autofocus")).isTrue();
                assertThat(page.selectFirst("#" + field.attr("aria-describedby")).text()).isEqualTo(refusal.getValue());
                assertThat(page.selectFirst(".option.invalid")).isNotNull();
                assertThat(page.selectFirst("input[name=next]").attr("value")).isEqualTo("/reports/visit_log");
            }
            // the sign-in this browser already has stays as it was
            var analyst = fixture.token(fixture.analyst, null);
            var kept = client.request("/login", r -> r.post(new FormBody.Builder().add("token", "not-a-token").build())
                    .header("Accept", HTML).header("Cookie", "vista_token=" + analyst));
            assertThat(kept.code()).isEqualTo(401);
            assertThat(parse(kept).selectFirst(".sign-in-status p").text()).startsWith("You are signed in as " + fixture.analyst);

            // from another site: refused before the token is looked at, whatever it asks for
            var crossSite = client.request("/login", r -> r.post(new FormBody.Builder().add("token", analyst).build())
                    .header("Accept", HTML).header("Sec-Fetch-Site", "cross-site"));
            assertThat(crossSite.code()).isEqualTo(403);
            assertThat(header(crossSite, "Set-Cookie")).isNull();
        });
    }

    @Test
    void signing_out_from_a_browser_clears_the_cookie_and_shows_the_sign_in_page() {
        TestApp.serve(required, fixture.vista, (server, client) -> {
            var signOut = post(client, "/logout", Map.of());
            assertThat(signOut.code()).isEqualTo(303);
            assertThat(header(signOut, "Location")).isEqualTo("/login");
            assertThat(header(signOut, "Set-Cookie")).isEqualTo("vista_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
            var crossSite = client.request("/logout", r -> r.post(new FormBody.Builder().build()).header("Origin", "http://elsewhere.example"));
            assertThat(crossSite.code()).isEqualTo(403);
        });
    }

    @Test
    void a_page_without_a_token_is_a_401_page_that_links_to_the_sign_in_page_and_back() {
        TestApp.serve(required, fixture.vista, (server, client) -> {
            var response = browse(client, "/reports/visits_summary?section=eq.index&order=visits.desc", null);
            assertThat(response.code()).isEqualTo(401);
            assertThat(header(response, "WWW-Authenticate")).isEqualTo("Bearer realm=\"vista\"");
            var page = parse(response);
            assertThat(page.selectFirst("h1").text()).isEqualTo("Not signed in");
            assertThat(page.selectFirst(".error-message").text()).isEqualTo("This page needs a token, and this browser has not signed in with one.");
            var signIn = "/login?next=/reports/visits_summary%3Fsection%3Deq.index%26order%3Dvisits.desc";
            assertThat(page.selectFirst("main a.call").attr("href")).isEqualTo(signIn);
            assertThat(page.selectFirst(".site-header .account a").attr("href")).isEqualTo(signIn);
            // the link's next, as the sign-in page reads it, is the page asked for
            var login = parse(browse(client, signIn, null));
            assertThat(login.selectFirst("input[name=next]").attr("value")).isEqualTo("/reports/visits_summary?section=eq.index&order=visits.desc");

            var catalogue = parse(browse(client, "/", null));
            assertThat(catalogue.selectFirst("main a.call").attr("href")).isEqualTo("/login");

            var stale = browse(client, "/reports/visits_summary", expired(fixture.analyst));
            assertThat(stale.code()).isEqualTo(401);
            assertThat(header(stale, "WWW-Authenticate")).contains("error=\"invalid_token\"");
            var stalePage = parse(stale);
            assertThat(stalePage.selectFirst(".error-message").text())
                    .isEqualTo("This page needs a token, and the one sent with this request is not accepted: the token has expired.");
            assertThat(stalePage.selectFirst(".site-header .account a").text()).isEqualTo("Sign in");

            // the API keeps its JSON, browser or not
            var api = client.get("/api/reports/visits_summary", r -> r.header("Accept", HTML));
            assertThat(api.code()).isEqualTo(401);
            assertThat(header(api, "Content-Type")).startsWith("application/json");
            assertThat(JSON.readTree(api.body().string()).get("code").asText()).isEqualTo("unauthorized");
        });
    }

    @Test
    void the_header_of_every_page_says_sign_in_or_who_is_signed_in() {
        var token = fixture.token(fixture.analyst, null);
        TestApp.serve(fixture.config(), fixture.vista, (server, client) -> {
            var anonymous = parse(browse(client, "/reports/visits_summary?section=eq.index", null));
            var link = anonymous.selectFirst(".site-header .account a");
            assertThat(link.text()).isEqualTo("Sign in");
            assertThat(link.attr("href")).isEqualTo("/login?next=/reports/visits_summary%3Fsection%3Deq.index");
            assertThat(parse(browse(client, "/", null)).selectFirst(".site-header .account a").attr("href")).isEqualTo("/login");

            for (var path : List.of("/", "/reports/visits_summary", "/reports/visits_summary/compare", "/reports/no_such_report")) {
                var page = parse(browse(client, path, token));
                assertThat(page.selectFirst(".site-header .account p").text()).as(path).isEqualTo("Signed in as " + fixture.analyst);
                assertThat(page.selectFirst(".site-header .account form[method=post][action=/logout] button").text()).as(path).isEqualTo("Sign out");
            }
        });
    }

    @Test
    void without_token_configuration_the_sign_in_page_says_there_is_nothing_to_sign_in_to() {
        var none = fixture.config("VISTA_JWT_SECRET", null, "VISTA_ANON_ROLE", null, "VISTA_ADMIN_ROLES", null);
        TestApp.serve(none, fixture.vista, (server, client) -> {
            var page = parse(browse(client, "/login", null));
            assertThat(page.selectFirst("main .lead").text()).startsWith("This Vista takes no tokens");
            assertThat(page.selectFirst("main").text()).contains("VISTA_JWT_SECRET").contains("VISTA_JWKS_FILE");
            assertThat(page.select("main form")).isEmpty();
            assertThat(page.selectFirst(".site-header .account")).isNull();
            var posted = post(client, "/login", Map.of("token", "anything"));
            assertThat(posted.code()).isEqualTo(400);
            assertThat(parse(posted).selectFirst("main .lead").text()).startsWith("This Vista takes no tokens");
            var api = client.request("/login", r -> r.post(new FormBody.Builder().add("token", "anything").build()));
            assertThat(api.code()).isEqualTo(400);
            assertThat(JSON.readTree(api.body().string()).get("code").asText()).isEqualTo("tokens_not_configured");
        });
    }
}
