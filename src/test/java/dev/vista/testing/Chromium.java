package dev.vista.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium and chromedriver, headless, for the browser tests: never a browser fetched by a tool. Where they
 * are missing the tests are skipped saying how to install them, unless {@code VISTA_BROWSER_TESTS=required} (CI), where
 * that is a failure. Also what the tests do with a page: set the viewport, take a screenshot, run axe-core.
 */
public final class Chromium implements AutoCloseable {

    public static final Path BROWSER = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path SCREENSHOTS = TestDatabase.projectRoot().resolve("target/screenshots");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChromeDriver driver;
    private final Path downloads;

    private Chromium(ChromeDriver driver, Path downloads) {
        this.driver = driver;
        this.downloads = downloads;
    }

    /** Starts Chromium, or skips (fails, in CI) the calling test class when it is not installed. */
    public static Chromium start() {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            var message = "the browser tests need Debian's Chromium and its driver (" + BROWSER + ", " + DRIVER + "): "
                    + "install them with `sudo apt-get install chromium chromium-driver`";
            if ("required".equalsIgnoreCase(System.getenv("VISTA_BROWSER_TESTS"))) {
                fail("VISTA_BROWSER_TESTS=required, but " + message);
            }
            abort("skipped: " + message);
        }
        try {
            var downloads = Files.createTempDirectory("vista-downloads");
            var options = new ChromeOptions();
            options.setBinary(BROWSER.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=en-US",
                    "--window-size=1280,800", "--force-device-scale-factor=1", "--disable-extensions", "--no-first-run");
            options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                    "download.prompt_for_download", false, "safebrowsing.enabled", false));
            options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
            var service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
            var driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(60));
            driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
            Files.createDirectories(SCREENSHOTS);
            return new Chromium(driver, downloads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    public Path downloads() {
        return downloads;
    }

    /** The viewport as a device of that size would have it (a phone: {@code mobile}, so the viewport meta tag applies). */
    public void viewport(int width, int height, boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    }

    /** target/screenshots/{name}-{width}x{height}.png of what the viewport shows now. */
    public Path screenshot(String name, int width, int height) {
        try {
            var file = SCREENSHOTS.resolve(name + "-" + width + "x" + height + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** target/screenshots/full/{name}-{width}.png: the whole page, beyond the viewport, for a person to look over. */
    public void fullPage(String name, int width) {
        try {
            var shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("captureBeyondViewport", true, "format", "png"));
            var file = SCREENSHOTS.resolve("full").resolve(name + "-" + width + ".png");
            Files.createDirectories(file.getParent());
            Files.write(file, java.util.Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** axe-core's violations on the current page (from its WebJar, injected), each with its impact, rule and nodes. */
    public List<JsonNode> axe() {
        driver.executeScript(AXE);
        var result = (String) driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']})"
                + ".then(function (r) { done(JSON.stringify(r.violations)); }, function (e) { done('error: ' + e); });");
        try {
            if (result.startsWith("error: ")) {
                throw new IllegalStateException("axe-core failed: " + result);
            }
            var violations = JSON.readTree(result);
            return java.util.stream.StreamSupport.stream(violations.spliterator(), false).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String AXE = axeScript();

    private static String axeScript() {
        var path = "/META-INF/resources/webjars/axe-core/" + webJarVersion() + "/axe.min.js";
        try (var in = Chromium.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the test classpath (org.webjars.npm:axe-core)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String webJarVersion() {
        try (var in = Chromium.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/axe-core/pom.properties")) {
            var properties = new java.util.Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
