package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.Vista;
import dev.vista.testing.AccessFixture;
import dev.vista.testing.Chromium;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Signing in, in a real browser (Debian's Chromium, headless) against a Vista that requires tokens: a page asked for
 * without one is a 401 page linking to the sign-in page, whose form (used by keyboard) signs in and lands back on that
 * page with the role in the header; signing out; a refused token shown next to the field with 401; a {@code next} that
 * leads to another site ends on the catalogue; axe-core finds no violation on the sign-in pages and the 401 page, which
 * are photographed at 1280x800 and 390x844 into target/screenshots.
 */
class SignInBrowserTest {

    static Chromium chromium;
    static AccessFixture fixture;
    static Vista vista;
    static String origin;

    @BeforeAll
    static void start() {
        chromium = Chromium.start();
        fixture = AccessFixture.create("sign_in_browser");
        vista = Vista.over(fixture.config("VISTA_ANON_ROLE", null, "VISTA_PORT", "0"), fixture.vista).listen();
        origin = "http://127.0.0.1:" + vista.port();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (vista != null) {
            vista.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void signedOut() {
        open("/login");
        chromium.driver().manage().deleteAllCookies();
    }

    // ---- helpers

    static void open(String path) {
        chromium.driver().get(origin + path);
        waitUntil(d -> "complete".equals(d.executeScript("return document.readyState")));
    }

    static void waitUntil(Function<ChromeDriver, Boolean> condition) {
        new WebDriverWait(chromium.driver(), Duration.ofSeconds(20)).until(d -> condition.apply(chromium.driver()));
    }

    static URI url() {
        return URI.create(chromium.driver().getCurrentUrl());
    }

    static String path() {
        var url = url();
        return url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    }

    /** The HTTP status of the page the browser shows (Navigation Timing's responseStatus). */
    static long status() {
        return (Long) chromium.driver().executeScript("return performance.getEntriesByType('navigation')[0].responseStatus");
    }

    static WebElement find(String css) {
        return chromium.driver().findElement(By.cssSelector(css));
    }

    static boolean present(String css) {
        return !chromium.driver().findElements(By.cssSelector(css)).isEmpty();
    }

    /** Runs {@code action}, which leaves the page (perhaps for the same URL), and waits until the next one has loaded. */
    static void leaving(Runnable action) {
        var page = find("html");
        action.run();
        new WebDriverWait(chromium.driver(), Duration.ofSeconds(20)).until(d -> gone(page));
        waitUntil(d -> "complete".equals(d.executeScript("return document.readyState")));
    }

    /**
     * Whether the element's page has been left. Selenium's {@code stalenessOf} knows only StaleElementReferenceException;
     * while the old document is being replaced Chromium may instead answer "Node with given id does not belong to the
     * document", which means the same.
     */
    private static boolean gone(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (WebDriverException e) { // StaleElementReferenceException included
            return true;
        }
    }

    static WebElement focused() {
        return chromium.driver().switchTo().activeElement();
    }

    /** Types {@code token} into the sign-in form's field and submits it by keyboard: Tab to the button, Enter. */
    static void signInByKeyboard(String token) {
        var field = find("#token");
        field.sendKeys(token);
        assertThat(focused()).isEqualTo(field);
        new Actions(chromium.driver()).sendKeys(Keys.TAB).perform();
        assertThat(focused().getText()).as("after the token, the keyboard reaches").isEqualTo("Sign in");
        leaving(() -> new Actions(chromium.driver()).sendKeys(Keys.ENTER).perform());
    }

    // ---- signing in and out

    @Test
    void a_page_without_a_token_links_to_the_sign_in_page_whose_form_lands_back_on_it_with_the_role_in_the_header() {
        open("/reports/visit_log?order=visit_time.desc");
        assertThat(status()).isEqualTo(401);
        assertThat(find("h1").getText()).isEqualTo("Not signed in");
        leaving(() -> find("main a.call").click());
        assertThat(path()).isEqualTo("/login?next=/reports/visit_log%3Forder%3Dvisit_time.desc");
        assertThat(find("input[name=next]").getAttribute("value")).isEqualTo("/reports/visit_log?order=visit_time.desc");

        signInByKeyboard(fixture.token(fixture.restricted, "2"));
        assertThat(status()).isEqualTo(200);
        assertThat(path()).isEqualTo("/reports/visit_log?order=visit_time.desc");
        assertThat(find(".site-header .account p").getText()).isEqualTo("Signed in as " + fixture.restricted);
        var users = chromium.driver().findElements(By.cssSelector("table.rows tbody td:nth-child(5)")).stream().map(WebElement::getText).toList();
        assertThat(users).as("user 2's own visits, by row-level security").isNotEmpty().allMatch("2"::equals);
        assertThat(chromium.driver().manage().getCookieNamed("vista_token").isHttpOnly()).isTrue();
        assertThat(chromium.driver().executeScript("return document.cookie")).as("no script reads the token").isEqualTo("");

        open("/login");
        assertThat(find(".sign-in-status p").getText()).startsWith("You are signed in as " + fixture.restricted + ", until ");
        leaving(() -> find(".site-header .account button").click());
        assertThat(path()).isEqualTo("/login");
        assertThat(find(".sign-in-status p").getText()).isEqualTo("You are not signed in, and the pages here need a token.");
        assertThat(chromium.driver().manage().getCookieNamed("vista_token")).isNull();
        open("/");
        assertThat(status()).isEqualTo(401);
        assertThat(find(".site-header .account a").getText()).isEqualTo("Sign in");
    }

    @Test
    void a_refused_token_shows_the_sign_in_page_again_with_the_reason_next_to_the_field_and_a_401() {
        open("/login?next=/reports/visits_summary");
        signInByKeyboard("not-a-token");
        assertThat(status()).isEqualTo(401);
        assertThat(path()).isEqualTo("/login");
        var field = find("#token");
        assertThat(focused()).as("the field has the focus, so its message is read out").isEqualTo(field);
        assertThat(field.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(field.getAttribute("value")).isEmpty();
        assertThat(find("#" + field.getAttribute("aria-describedby")).getText())
                .isEqualTo("This token was not accepted: the token is not a JWT (header.payload.signature, base64url-encoded JSON).");
        assertThat(find("input[name=next]").getAttribute("value")).isEqualTo("/reports/visits_summary");
        assertThat(chromium.driver().manage().getCookieNamed("vista_token")).isNull();

        signInByKeyboard(fixture.token(fixture.analyst, null));
        assertThat(path()).as("the second try goes on to next").isEqualTo("/reports/visits_summary");
    }

    @Test
    void a_next_that_leads_to_another_site_ends_on_the_catalogue() {
        var token = fixture.token(fixture.analyst, null);
        open("/login?next=//evil.example");
        assertThat(present("input[name=next]")).as("the page does not carry it").isFalse();
        signInByKeyboard(token);
        assertThat(url().getAuthority()).isEqualTo(URI.create(origin).getAuthority());
        assertThat(path()).isEqualTo("/");

        // a form changed in the page (or made elsewhere) is checked by the server too
        for (var next : List.of("//evil.example", "https://evil.example", "/\\evil.example")) {
            open("/login");
            chromium.driver().executeScript("var f = document.querySelector('form.sign-in-form'), i = document.createElement('input');"
                    + "i.type = 'hidden'; i.name = 'next'; i.value = arguments[0]; f.appendChild(i);", next);
            signInByKeyboard(token);
            assertThat(url().getAuthority()).as(next).isEqualTo(URI.create(origin).getAuthority());
            assertThat(path()).as(next).isEqualTo("/");
        }
    }

    // ---- every sign-in page: axe-core, screenshots, a phone's width, the Content-Security-Policy

    /** Each state of the sign-in pages, reached from a signed-out browser. */
    static Map<String, Runnable> states() {
        var states = new LinkedHashMap<String, Runnable>();
        states.put("401-page", () -> open("/reports/visits_summary?section=eq.index"));
        states.put("login", () -> open("/login?next=/reports/visits_summary"));
        states.put("login-refused", () -> {
            open("/login");
            signInByKeyboard("not-a-token");
        });
        states.put("login-signed-in", () -> {
            open("/login");
            signInByKeyboard(fixture.token(fixture.analyst, null));
            open("/login");
        });
        return states;
    }

    @Test
    void axe_finds_no_violation_on_the_sign_in_pages_and_the_401_page_which_fit_a_phone_and_keep_their_policy() throws IOException {
        chromium.driver().manage().logs().get(LogType.BROWSER); // drop what earlier tests logged
        var report = new StringBuilder();
        var violations = new ArrayList<String>();
        var problems = new ArrayList<String>();
        try {
            for (var state : states().entrySet()) {
                chromium.driver().manage().deleteAllCookies();
                for (var size : List.of(new int[] {1280, 800, 0}, new int[] {390, 844, 1})) {
                    chromium.viewport(size[0], size[1], size[2] == 1);
                    state.getValue().run();
                    var at = state.getKey() + " at " + size[0] + " px";
                    chromium.screenshot(state.getKey(), size[0], size[1]);
                    chromium.fullPage(state.getKey(), size[0]);
                    var overflow = (Long) chromium.driver().executeScript("return document.documentElement.scrollWidth - window.innerWidth");
                    assertThat(overflow).as(at + " scrolls sideways by").isLessThanOrEqualTo(0L);
                    for (var entry : chromium.driver().manage().logs().get(LogType.BROWSER)) {
                        var message = entry.getMessage();
                        var expected = message.contains("the server responded with a status of 401");
                        if (!expected && (entry.getLevel().intValue() >= Level.WARNING.intValue() || message.contains("Content Security Policy"))) {
                            problems.add(at + ": " + message);
                        }
                    }
                    for (var violation : chromium.axe()) {
                        var line = at + ": " + violation.get("impact").asText() + " " + violation.get("id").asText() + ": "
                                + violation.get("help").asText() + " (e.g. " + violation.at("/nodes/0/target") + ")";
                        violations.add(line);
                        report.append(line).append('\n');
                    }
                    chromium.driver().manage().logs().get(LogType.BROWSER); // axe-core's own remarks (its canvas reads)
                }
            }
        } finally {
            chromium.driver().executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
        Files.writeString(Chromium.SCREENSHOTS.resolve("axe-sign-in.txt"), report.isEmpty() ? "no violations\n" : report);
        assertThat(violations).as("axe-core's violations (also in target/screenshots/axe-sign-in.txt)").isEmpty();
        assertThat(problems).as("the browser's console").isEmpty();
    }
}
