package dev.vista.testing;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.Vista;
import dev.vista.config.Config;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.TestCase;
import io.javalin.testtools.TestConfig;

/** Serves Vista, wired as the app wires it, over a test's own database for one test case; closes what it built afterwards. */
public final class TestApp {

    private TestApp() {
    }

    public static void serve(Config config, HikariDataSource dataSource, TestCase testCase) {
        try (var vista = Vista.over(config, dataSource)) {
            JavalinTest.test(vista.app(), testCase);
        }
    }

    public static void serve(Config config, HikariDataSource dataSource, TestConfig testConfig, TestCase testCase) {
        try (var vista = Vista.over(config, dataSource)) {
            JavalinTest.test(vista.app(), testConfig, testCase);
        }
    }
}
