package dev.vista.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The command line itself, no database needed: help, version, typos and the exit codes of wrong usage. */
class CommandLineTest {

    static final Map<String, String> ENV = Map.of();

    @Test
    void help_lists_every_command_the_exit_codes_and_the_environment() {
        var run = CommandRun.of(ENV, "--help");

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).startsWith("Usage: vista [-hV] [COMMAND]\n")
                .contains("  -h, --help", "  -V, --version", "With no command: serve.")
                .containsSubsequence("Commands:", "  serve ", "  migrate ", "  seed ", "  refresh ", "  bench ", "  help ")
                .containsSubsequence("Exit codes:", "  0   done", "  1   failed", "  2   wrong usage", "  3   migrate --check", "  4   refresh refused")
                .contains("VISTA_DATABASE_URL", "VISTA_ADMIN_TOKEN", "VISTA_STATEMENT_TIMEOUT", "VISTA_REFRESH_TIMEOUT", "VISTA_REQUEST_LOG");
        assertThat(CommandRun.of(ENV, "help").out()).isEqualTo(run.out());
    }

    @Test
    void each_command_help_lists_every_option_it_takes() {
        assertThat(help("migrate")).startsWith("Usage: vista migrate [-hV] [--plan | --check]\n").contains("--plan", "--check", "  3   --check:");
        assertThat(help("seed")).startsWith("Usage: vista seed [-hV] --visits=N [--users=N]\n").contains("--visits=N", "--users=N    How many users they belong to (default: 1000).");
        assertThat(help("refresh")).startsWith("Usage: vista refresh [-hV] [--concurrently] [--cascade] [--fallback] [--wait]")
                .contains("[VIEW]", "--concurrently", "--cascade", "--fallback", "--wait", "  4   refused");
        assertThat(help("bench")).contains("--visits=N", "--users=N", "--iterations=N", "--warmups=N", "--http-seconds=N", "--connections=N",
                "--output=FILE", "--no-write", "--replace-data", "(default: 1000000)");
        assertThat(help("serve")).startsWith("Usage: vista serve [-hV]\n").contains("serve HTTP");
        assertThat(CommandRun.of(ENV, "help", "refresh").out()).isEqualTo(help("refresh"));
    }

    @Test
    void version_is_the_one_the_build_gives() throws IOException {
        var pom = Files.readString(TestDatabase.projectRoot().resolve("pom.xml"));
        var matcher = Pattern.compile("<artifactId>vista</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(matcher.find()).isTrue();

        var run = CommandRun.of(ENV, "--version");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("vista " + matcher.group(1) + "\nJava " + Runtime.version());
    }

    @Test
    void a_mistyped_command_exits_2_suggesting_the_one_meant() {
        var run = CommandRun.of(ENV, "migrat");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("""
                vista: unknown command 'migrat'; did you mean migrate?
                Usage: vista [-hV] [COMMAND]
                Try 'vista --help' for more information.
                """);
        assertThat(CommandRun.of(ENV, "refesh").err()).startsWith("vista: unknown command 'refesh'; did you mean refresh?\n");
    }

    @Test
    void a_mistyped_option_exits_2_suggesting_the_one_meant() {
        var run = CommandRun.of(ENV, "migrate", "--plna");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("""
                vista: migrate: unknown option '--plna'; did you mean --plan?
                Usage: vista migrate [-hV] [--plan | --check]
                Try 'vista migrate --help' for more information.
                """);
    }

    @Test
    void wrong_usage_exits_2_with_one_line_saying_what_is_wrong() {
        assertThat(firstLine("seed")).isEqualTo("vista: seed: missing required option: '--visits=N'");
        assertThat(firstLine("seed", "--visits", "lots")).isEqualTo("vista: seed: invalid value for option '--visits': 'lots' is not a whole number >= 0");
        assertThat(firstLine("seed", "--visits", "-5")).isEqualTo("vista: seed: invalid value for option '--visits': '-5' is not a whole number >= 0");
        assertThat(firstLine("refresh", "--cascade")).isEqualTo("vista: refresh without a view refreshes everything already; --cascade needs a view");
        assertThat(firstLine("bench", "--iterations", "0")).isEqualTo("vista: bench needs --iterations >= 1 and --users >= 1");
        assertThat(firstLine("bench", "--output", "x.md", "--no-write")).isEqualTo("vista: bench: --output=FILE, --no-write are mutually exclusive (specify only one)");
        for (var args : new String[][] {{"seed"}, {"refresh", "--cascade"}, {"bench", "--warmups", "x"}, {"serve", "extra"}}) {
            assertThat(CommandRun.of(ENV, args).exit()).as(String.join(" ", args)).isEqualTo(2);
        }
    }

    @Test
    void help_works_whatever_the_environment_holds_and_a_command_that_reads_it_exits_2() {
        var bad = Map.of("VISTA_PORT", "http");

        assertThat(CommandRun.of(bad, "migrate", "--help").exit()).isZero();
        var run = CommandRun.of(bad, "seed", "--visits", "10");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("vista: VISTA_PORT=http is not a whole number from 0 to 65535\n");
    }

    @Test
    void read_replica_settings_vista_cannot_use_exit_2_naming_the_variable() {
        var url = CommandRun.of(Map.of("VISTA_READ_URL", "jdbc:postgresql://standby/vista?targetServerType=primary"), "serve");
        assertThat(url.exit()).isEqualTo(2);
        assertThat(url.err()).startsWith("vista: VISTA_READ_URL has targetServerType=primary, but it names the hot standbys that serve reads");
        var lag = CommandRun.of(Map.of("VISTA_MAX_REPLICA_LAG", "0s"), "serve");
        assertThat(lag.exit()).isEqualTo(2);
        assertThat(lag.err()).startsWith("vista: VISTA_MAX_REPLICA_LAG=0s is not a duration");
    }

    @Test
    void a_failure_exits_1_with_its_message_on_one_line() {
        var run = CommandRun.of(Map.of("VISTA_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/nothing"), "bench", "--no-write");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("vista: bench replaces all data in the database; with VISTA_DATABASE_URL set, pass --replace-data\n");
    }

    private static String help(String command) {
        var run = CommandRun.of(ENV, command, "--help");
        assertThat(run.exit()).as(command + " --help").isZero();
        return run.out();
    }

    private static String firstLine(String... args) {
        var run = CommandRun.of(ENV, args);
        assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(2);
        return run.err().lines().findFirst().orElse("");
    }

    @Test
    void on_linux_and_jdk_21_to_25_virtual_threads_poll_on_platform_threads_unless_a_mode_is_given() {
        assertThat(dev.vista.Vista.platformPollers(null, 25, "Linux")).contains("1");
        assertThat(dev.vista.Vista.platformPollers(null, 21, "Linux")).contains("1");
        assertThat(dev.vista.Vista.platformPollers("2", 25, "Linux")).isEmpty();
        assertThat(dev.vista.Vista.platformPollers(null, 26, "Linux")).isEmpty();
        assertThat(dev.vista.Vista.platformPollers(null, 17, "Linux")).isEmpty();
        assertThat(dev.vista.Vista.platformPollers(null, 25, "Mac OS X")).isEmpty();
        assertThat(dev.vista.Vista.platformPollers(null, 25, "Windows 11")).isEmpty();
    }
}
