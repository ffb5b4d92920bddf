package dev.vista.web;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.Vista;
import dev.vista.config.Config;
import dev.vista.testing.ApiRows;
import dev.vista.testing.Chromium;
import dev.vista.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The pages in a real browser (Debian's Chromium, headless) against the real server and a demo database: what an
 * analyst does with a report, the chart drawn, the download, errors, markup in the data, a phone's width, axe-core,
 * and screenshots of every page at 1280x800 and 390x844 in target/screenshots.
 */
class BrowserTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String XSS = "<img src=x onerror=alert(1)>";
    // generous time boxes: the machine running the tests may be busy, and a facet skipped here would fail a test
    static final Config CONFIG = Config.fromEnvironment(Map.of("VISTA_PORT", "0", "VISTA_FACET_TIMEOUT", "5s", "VISTA_CHART_TIMEOUT", "10s"));
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Chromium chromium;
    static HikariDataSource dataSource;
    static Vista vista;
    static String origin;
    static long xssUser;

    @BeforeAll
    static void start() {
        chromium = Chromium.start();
        dataSource = TestDatabase.migrated("browser");
        TestDatabase.demoData(dataSource).seedIfEmpty();
        var dsl = TestDatabase.dsl(dataSource);
        xssUser = dsl.insertInto(USERS, USERS.USERNAME, USERS.EMAIL, USERS.CREATED_AT)
                .values(XSS, "\"><script>alert(2)</script>", OffsetDateTime.now(ZoneOffset.UTC))
                .returning(USERS.ID).fetchOne(USERS.ID);
        dsl.insertInto(PAGE_VISITS, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS)
                .values(xssUser, "index", OffsetDateTime.now(ZoneOffset.UTC), 42).execute();
        TestDatabase.refreshAll(dataSource);
        vista = Vista.over(CONFIG, dataSource).listen();
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
        if (dataSource != null) {
            dataSource.close();
        }
    }

    // ---- helpers

    static void open(String path) {
        chromium.driver().get(origin + path);
        waitUntil(d -> "complete".equals(d.executeScript("return document.readyState")));
    }

    static void waitUntil(java.util.function.Function<org.openqa.selenium.chrome.ChromeDriver, Boolean> condition) {
        new WebDriverWait(chromium.driver(), Duration.ofSeconds(20)).until(d -> condition.apply(chromium.driver()));
    }

    static String path() {
        var url = URI.create(chromium.driver().getCurrentUrl());
        return url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    }

    static WebElement find(String css) {
        return chromium.driver().findElement(By.cssSelector(css));
    }

    static void click(WebElement element) {
        var before = chromium.driver().getCurrentUrl();
        element.click();
        waitUntil(d -> !d.getCurrentUrl().equals(before) && "complete".equals(d.executeScript("return document.readyState")));
    }

    /** The page's table as ApiRows writes the API's rows. */
    @SuppressWarnings("unchecked")
    static List<String> tableRows() {
        return (List<String>) chromium.driver().executeScript("return Array.from(document.querySelectorAll('table.rows tbody tr')).map(tr =>"
                + " Array.from(tr.cells).map(td => td.classList.contains('number') ? td.textContent.replaceAll(',', '') : td.textContent).join(' | '))");
    }

    static String get(String path) throws IOException, InterruptedException {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(origin + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    /** The rows /api/... returns for the query of the page the browser shows. */
    static List<String> apiRowsOfThisPage() throws Exception {
        return ApiRows.lines(get("/api" + path()));
    }

    static String filterRow(String column) {
        var hidden = find(".filter-form input[type=hidden][value=" + column + "]");
        return hidden.getAttribute("name").substring(1);
    }

    // ---- what an analyst does

    @Test
    void an_analyst_opens_the_catalogue_and_follows_a_report_link() throws Exception {
        open("/");
        new Actions(chromium.driver()).sendKeys(Keys.TAB).perform();
        assertThat(chromium.driver().switchTo().activeElement().getText()).as("the first stop of the keyboard").isEqualTo("Skip to the content");
        click(chromium.driver().findElement(By.linkText("Visits per user, section and day")));
        assertThat(path()).isEqualTo("/reports/visits_summary");
        assertThat(find("h1").getText()).isEqualTo("Visits per user, section and day");
        assertThat(tableRows()).hasSize(100).isEqualTo(apiRowsOfThisPage());
    }

    @Test
    void filtering_with_the_form_leads_to_the_canonical_url_and_shows_the_api_rows() throws Exception {
        open("/reports/visits_summary");
        find("details.filters > summary").click();
        var user = filterRow("user_id");
        new Select(find("#o" + user)).selectByVisibleText("at most");
        find("#v" + user).sendKeys("10");
        var section = filterRow("section");
        new Select(find("#v" + section)).selectByVisibleText("dashboard");
        click(find(".filter-form button[type=submit]"));
        assertThat(path()).isEqualTo("/reports/visits_summary?user_id=lte.10&section=eq.dashboard");
        assertThat(tableRows()).isNotEmpty().isEqualTo(apiRowsOfThisPage()).allMatch(row -> row.contains(" | dashboard | "));
        assertThat(chromium.driver().findElements(By.cssSelector(".active-filters li > span")).stream().map(WebElement::getText))
                .containsExactly("user_id at most 10", "section equals dashboard");
        click(find(".active-filters a.remove"));
        assertThat(path()).isEqualTo("/reports/visits_summary?section=eq.dashboard");
    }

    @Test
    void sorting_by_a_header_with_the_keyboard_and_paging_follow_the_api() throws Exception {
        open("/reports/visits_summary?section=eq.index");
        var visits = find("table.rows thead th:nth-child(4) a");
        visits.sendKeys(Keys.ENTER);
        waitUntil(d -> path().endsWith("order=visits"));
        click(find("table.rows thead th:nth-child(4) a"));
        assertThat(path()).isEqualTo("/reports/visits_summary?section=eq.index&order=visits.desc");
        assertThat(find("table.rows thead th:nth-child(4)").getAttribute("aria-sort")).isEqualTo("descending");
        var first = tableRows();
        assertThat(first).isEqualTo(apiRowsOfThisPage());
        click(chromium.driver().findElement(By.linkText("Next page →")));
        assertThat(path()).isEqualTo("/reports/visits_summary?section=eq.index&order=visits.desc&offset=100");
        assertThat(tableRows()).isEqualTo(apiRowsOfThisPage()).doesNotContainAnyElementsOf(first);
        assertThat(find(".pagination").getText()).contains("Rows 101–200 of");
    }

    @Test
    void clicking_a_facet_filters_by_its_value() throws Exception {
        open("/reports/visit_log");
        var facet = find("section.facet[aria-labelledby=facet-section]");
        click(facet.findElement(By.partialLinkText("settings")));
        assertThat(path()).isEqualTo("/reports/visit_log?section=eq.settings");
        assertThat(tableRows()).isEqualTo(apiRowsOfThisPage()).allMatch(row -> row.contains(" | settings | "));
        var selected = find("section.facet[aria-labelledby=facet-section] a[aria-current=true]");
        assertThat(selected.getText()).startsWith("settings");
    }

    @Test
    void the_csv_download_is_the_file_the_api_writes() throws Exception {
        open("/reports/visits_summary?section=eq.index&order=visits.desc&limit=10");
        find(".downloads a[href$='.csv?section=eq.index&order=visits.desc']").click();
        var file = chromium.downloads().resolve("visits_summary-" + LocalDate.now(ZoneOffset.UTC) + ".csv");
        waitUntil(d -> Files.exists(file) && !Files.exists(Path.of(file + ".crdownload")));
        var api = get("/api/reports/visits_summary.csv?section=eq.index&order=visits.desc");
        assertThat(Files.readString(file)).isEqualTo(api);
        assertThat(api.lines().count()).as("every row, not the page's 10").isGreaterThan(11);
    }

    @Test
    void the_chart_draws_the_whole_filtered_result_from_its_json() throws Exception {
        open("/reports/visits_summary?section=eq.dashboard&limit=5");
        waitUntil(d -> (Boolean) d.executeScript("return document.querySelector('#chart canvas') !== null"));
        var data = JSON.readTree((String) chromium.driver().executeScript("return document.getElementById('chart-data').textContent"));
        var perDay = new TreeMap<LocalDate, long[]>();
        for (JsonNode row : JSON.readTree(get("/api/reports/visits_summary?section=eq.dashboard&limit=10000"))) {
            var day = perDay.computeIfAbsent(LocalDate.parse(row.get("visit_date").asText()), d -> new long[2]);
            day[0] += row.get("visits").asLong();
            day[1]++;
        }
        assertThat(perDay).hasSizeGreaterThan(20);
        var x = new ArrayList<Long>();
        data.get("x").forEach(v -> x.add(v.asLong()));
        assertThat(x).isEqualTo(perDay.keySet().stream().map(d -> d.atStartOfDay(ZoneOffset.UTC).toEpochSecond()).toList());
        var sums = new ArrayList<Long>();
        data.at("/series/0/values").forEach(v -> sums.add(v.asLong()));
        assertThat(sums).isEqualTo(perDay.values().stream().map(v -> v[0]).toList());
        var rows = new ArrayList<Long>();
        data.at("/series/1/values").forEach(v -> rows.add(v.asLong()));
        assertThat(rows).isEqualTo(perDay.values().stream().map(v -> v[1]).toList());

        var measure = find("#chart-measure");
        assertThat(measure.isDisplayed()).isTrue();
        new Select(measure).selectByVisibleText("rows per day of visit_date");
        assertThat(find("#chart").getAttribute("aria-label")).isEqualTo("rows per day of visit_date");
        assertThat(find("#chart canvas").isDisplayed()).isTrue();
    }

    @Test
    void a_refresh_shows_as_its_age_and_a_page_opened_again_comes_from_the_browser_revalidated() {
        open("/reports/section_daily?section=eq.index");
        var moment = find(".freshness time[data-age]");
        waitUntil(d -> moment.getText().matches("just now|\\d+ (s|min|h) ago|\\d+ days? ago"));
        assertThat(moment.getAttribute("title")).as("the moment, in the title").matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC");
        assertThat(find(".freshness").getText()).startsWith("refreshed ").endsWith(", every 15 min");
        var first = navigation();
        assertThat(first.get("transferSize")).as("the first view travels whole").isGreaterThan(first.get("encodedBodySize"));

        open("/reports/section_daily?section=eq.index");
        var again = navigation();
        assertThat(again.get("decodedBodySize")).isEqualTo(first.get("decodedBodySize"));
        assertThat(again.get("transferSize")).as("asked again with its ETag: a 304, headers only, the page from the browser's cache")
                .isPositive().isLessThan(first.get("encodedBodySize") / 2);
        waitUntil(d -> find(".freshness time[data-age]").getText().matches("just now|\\d+ (s|min|h) ago|\\d+ days? ago"));
    }

    /** The sizes of the page's navigation, as the browser measured them (Navigation Timing). */
    @SuppressWarnings("unchecked")
    static Map<String, Long> navigation() {
        return (Map<String, Long>) chromium.driver().executeScript("const n = performance.getEntriesByType('navigation')[0];"
                + " return {transferSize: n.transferSize, encodedBodySize: n.encodedBodySize, decodedBodySize: n.decodedBodySize};");
    }

    @Test
    void the_compare_page_says_whether_the_sources_agree() {
        open("/reports/visits_summary/compare?section=eq.index");
        assertThat(find(".verdict").getText()).startsWith("All 3 sources returned the same");
        assertThat(chromium.driver().findElements(By.cssSelector(".source h2")).stream().map(WebElement::getText))
                .containsExactly("view", "materialized", "groupby");
    }

    @Test
    void a_bad_parameter_shows_the_form_with_the_message_next_to_the_field() {
        open("/reports/visits_summary?section=eq.index&limit=20000");
        assertThat(find("h1").getText()).isEqualTo("This query cannot be answered");
        var limit = find("#limit");
        assertThat(limit.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(find("#" + limit.getAttribute("aria-describedby")).getText()).isEqualTo("limit=20000 is more than the maximum of 10000 rows");
        limit.clear();
        limit.sendKeys("50");
        click(find(".filter-form button[type=submit]"));
        assertThat(path()).isEqualTo("/reports/visits_summary?section=eq.index&limit=50");
        assertThat(tableRows()).hasSize(50);
    }

    @Test
    void a_value_holding_markup_shows_as_text_and_runs_nothing() {
        open("/reports/visit_log?user_id=eq." + xssUser);
        assertThat(tableRows()).singleElement().asString().contains(" | " + XSS + " | \"><script>alert(2)</script>");
        assertThat(chromium.driver().findElements(By.cssSelector("main img"))).isEmpty();
        assertThatThrownBy(() -> chromium.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    @Test
    void a_100_row_page_weighs_under_80_kb_and_its_scripts_and_styles_under_100_kb_gzipped() throws Exception {
        for (var report : List.of("visits_summary", "visit_log", "user_stats")) {
            var bytes = get("/reports/" + report).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            System.out.println("[page weight] /reports/" + report + ": " + bytes + " bytes of HTML");
            assertThat(bytes).as(report + " page, bytes").isLessThan(80 * 1024);
        }
        var page = org.jsoup.Jsoup.parse(get("/reports/visit_log"));
        long gzipped = 0;
        for (var url : page.select("link[rel=stylesheet]").eachAttr("href")) {
            gzipped += gzippedSize(url);
        }
        for (var url : page.select("script[src]").eachAttr("src")) {
            gzipped += gzippedSize(url);
        }
        System.out.println("[page weight] scripts and styles: " + gzipped + " bytes gzipped");
        assertThat(gzipped).as("scripts and styles, gzipped, bytes").isLessThan(100 * 1024);
    }

    /** The bytes an asset takes on the wire when the browser accepts gzip, as the server sends it. */
    static long gzippedSize(String url) throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(origin + url)).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.headers().firstValue("Content-Encoding")).as(url + " is sent compressed").contains("gzip");
        return response.body().length;
    }

    // ---- every page: screenshots, a phone's width, axe-core, the Content-Security-Policy

    static final Map<String, String> PAGES = pages();

    static Map<String, String> pages() {
        var pages = new LinkedHashMap<String, String>();
        pages.put("catalogue", "/");
        pages.put("report", "/reports/visits_summary?section=eq.dashboard");
        pages.put("report-visit-log", "/reports/visit_log");
        pages.put("compare", "/reports/visits_summary/compare?section=eq.index");
        pages.put("error-400", "/reports/visits_summary?section=eq.index&limit=20000");
        pages.put("error-404", "/reports/no_such_report");
        pages.put("login-without-tokens", "/login");
        return pages;
    }

    @Test
    void every_page_is_photographed_at_desktop_and_phone_width_and_never_scrolls_sideways_on_a_phone() {
        try {
            for (var page : PAGES.entrySet()) {
                for (var size : List.of(new int[] {1280, 800, 0}, new int[] {390, 844, 1})) {
                    chromium.viewport(size[0], size[1], size[2] == 1);
                    open(page.getValue());
                    waitUntil(d -> (Boolean) d.executeScript("return !document.getElementById('chart') || document.querySelector('#chart canvas') !== null"));
                    chromium.screenshot(page.getKey(), size[0], size[1]);
                    chromium.fullPage(page.getKey(), size[0]);
                    var at = page.getKey() + " at " + size[0] + " px";
                    assertThat((Long) chromium.driver().executeScript("return window.innerWidth")).as(at + ": the viewport").isEqualTo(size[0]);
                    var overflow = (Long) chromium.driver().executeScript("return document.documentElement.scrollWidth - window.innerWidth");
                    assertThat(overflow).as(at + " scrolls sideways by").isLessThanOrEqualTo(0L);
                    assertThat(sticksOut()).as(at + ": what sticks out of the content's box").isEmpty();
                }
            }
        } finally {
            chromium.driver().executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /** Elements wider than the content box of main (wide tables scroll inside their own container, so they do not count). */
    @SuppressWarnings("unchecked")
    static List<String> sticksOut() {
        return (List<String>) chromium.driver().executeScript("var main = document.querySelector('main');"
                + "var right = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight); var out = [];"
                + "for (const e of main.querySelectorAll('*')) { if (e.closest('.table-wrap, .visually-hidden')) continue;"
                + " var r = e.getBoundingClientRect(); if (r.width > 0 && r.right > right + 1) out.push(e.tagName + '.' + e.className + ' by ' + Math.round(r.right - right) + ' px'); }"
                + "return out.slice(0, 5);");
    }

    @Test
    void axe_finds_no_serious_or_critical_violation_on_the_catalogue_a_report_and_the_compare_page() throws IOException {
        var report = new StringBuilder();
        var serious = new ArrayList<String>();
        for (var page : PAGES.entrySet()) {
            open(page.getValue());
            var violations = chromium.axe();
            report.append(page.getKey()).append(" (").append(page.getValue()).append("): ").append(violations.size()).append(" violations\n");
            for (var violation : violations) {
                var line = "  " + violation.get("impact").asText() + " " + violation.get("id").asText() + ": " + violation.get("help").asText()
                        + " (" + violation.get("nodes").size() + " nodes, e.g. " + violation.at("/nodes/0/target").toString() + ")";
                report.append(line).append('\n');
                if (List.of("serious", "critical").contains(violation.get("impact").asText())) {
                    serious.add(page.getKey() + line);
                }
            }
        }
        Files.writeString(Chromium.SCREENSHOTS.resolve("axe.txt"), report);
        System.out.println("[axe-core]\n" + report);
        assertThat(serious).as("serious or critical violations (all of them in target/screenshots/axe.txt)").isEmpty();
    }

    @Test
    void no_page_breaks_its_content_security_policy_or_logs_an_error() {
        chromium.driver().manage().logs().get(LogType.BROWSER); // drop what earlier tests logged
        var problems = new ArrayList<String>();
        for (var page : PAGES.entrySet()) {
            open(page.getValue());
            for (var entry : chromium.driver().manage().logs().get(LogType.BROWSER)) {
                var message = entry.getMessage();
                var expected = page.getKey().startsWith("error-") && message.contains("the server responded with a status of");
                if (!expected && (entry.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue() || message.contains("Content Security Policy"))) {
                    problems.add(page.getKey() + ": " + message);
                }
            }
        }
        assertThat(problems).isEmpty();
    }
}
