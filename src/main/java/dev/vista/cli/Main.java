package dev.vista.cli;

import dev.vista.Vista;
import dev.vista.config.Config;
import dev.vista.config.ConfigException;
import dev.vista.migrate.MigrationException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * {@code java -jar vista.jar [serve | migrate | seed | refresh | token | bench | help] [options]}, on picocli: one class per
 * command in this package, {@code --help} on each, {@code --version}, and a suggestion for a mistyped command or option.
 * Exit codes: 0 done, 1 failed, 2 wrong usage (arguments, or a value in the environment Vista cannot use), 3
 * ({@code migrate --check}) the database differs from db/, 4 ({@code refresh}) refused: already running, or impossible
 * as asked. Every error is one line, {@code vista: <message>}; a usage error adds the command's synopsis.
 */
@Command(name = "vista", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, sortSynopsis = false,
        description = {"Reports from PostgreSQL views and materialized views, served over HTTP.", "With no command: serve."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed", "2:wrong usage, or a value in the environment Vista cannot use",
                "3:migrate --check: the database differs from db/", "4:refresh refused: already running, or impossible as asked"},
        footerHeading = "%nEnvironment (default):%n",
        footer = {
                "  VISTA_DATABASE_URL         jdbc:postgresql://host/db (embedded PostgreSQL)",
                "  VISTA_DATABASE_USER        (postgres)",
                "  VISTA_DATABASE_PASSWORD    (empty)",
                "  VISTA_DATABASE_POOL_SIZE   connections per pool (10)",
                "  VISTA_DATA_DIR             the embedded PostgreSQL's data (./data)",
                "  VISTA_PORT                 HTTP port (7070)",
                "  VISTA_ADMIN_TOKEN          for /api/admin and /metrics (random, printed)",
                "  VISTA_STATEMENT_TIMEOUT    per report query (30s)",
                "  VISTA_REFRESH_TIMEOUT      per refresh statement (10m)",
                "  VISTA_REFRESH_SCHEDULES    on/off: refresh on db/views' schedules (on)",
                "  VISTA_REQUEST_LOG          on/off: a log line per HTTP request (on)",
                "  VISTA_HOST                 the address to listen on (127.0.0.1: this machine only)",
                "  VISTA_JWT_SECRET, VISTA_JWKS_FILE, VISTA_JWT_ROLE_CLAIM, VISTA_JWT_AUDIENCE, VISTA_ANON_ROLE,",
                "  VISTA_ADMIN_ROLES, VISTA_TRUST_PROXY   tokens and roles (see README, Who may see what)"})
public final class Main implements Callable<Integer> {

    private final ServeCommand serve;

    private Main(ServeCommand serve) {
        this.serve = serve;
    }

    /** Plain {@code vista}: serve. */
    @Override
    public Integer call() {
        return serve.call();
    }

    public static void main(String[] args) {
        Vista.platformPollers(System.getProperty(Vista.POLLER_MODE), Runtime.version().feature(), System.getProperty("os.name", ""))
                .ifPresent(mode -> System.setProperty(Vista.POLLER_MODE, mode));
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /** With the environment given, so tests can point the command line at their own database. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, out, err, () -> Config.fromEnvironment(env));
    }

    /** With the configuration given instead of read from the environment. */
    static int run(String[] args, PrintStream out, PrintStream err, Config config) {
        return run(args, out, err, () -> config);
    }

    private static int run(String[] args, PrintStream out, PrintStream err, Supplier<Config> config) {
        var invocation = new Invocation(config, out, err);
        var serve = new ServeCommand(invocation);
        var commandLine = new CommandLine(new Main(serve))
                .addSubcommand(serve)
                .addSubcommand(new MigrateCommand(invocation))
                .addSubcommand(new SeedCommand(invocation))
                .addSubcommand(new RefreshCommand(invocation))
                .addSubcommand(new TokenCommand(invocation))
                .addSubcommand(new BenchCommand(invocation))
                .addSubcommand(new HelpCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setParameterExceptionHandler(Main::wrongUsage)
                .setExecutionExceptionHandler(Main::failed);
        return commandLine.execute(args);
    }

    /** Exit 2: what is wrong, a suggestion for a typo, the command's synopsis and where to read more. */
    private static int wrongUsage(ParameterException e, String[] args) {
        var command = e.getCommandLine();
        var err = command.getErr();
        var name = command.getCommandSpec().qualifiedName();
        var prefix = command.getParent() == null ? "" : command.getCommandName() + ": ";
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            var argument = unmatched.getUnmatched().getFirst();
            var what = unmatched.isUnknownOption() ? "unknown option" : command.getParent() == null ? "unknown command" : "unexpected argument";
            var suggestions = unmatched.getSuggestions();
            err.println("vista: " + prefix + what + " '" + argument + "'"
                    + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?"));
        } else {
            var message = String.valueOf(e.getMessage()).replaceFirst("^Error: ", "");
            err.println("vista: " + (message.startsWith(command.getCommandName()) ? "" : prefix) + lowerFirst(message));
        }
        err.print("Usage: " + command.getHelp().synopsis(0));
        err.println("Try '" + name + " --help' for more information.");
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Exit 1, or 2 for a value in the environment Vista cannot use: the messages of the exception and its causes, on one line. */
    private static int failed(Exception e, CommandLine command, ParseResult parsed) {
        command.getErr().println("vista: " + (e instanceof MigrationException ? e.getMessage() : messages(e)));
        return e instanceof ConfigException ? 2 : 1;
    }

    private static String messages(Throwable e) {
        var text = new StringBuilder(String.valueOf(e.getMessage()));
        for (var cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    private static String lowerFirst(String text) {
        return text.isEmpty() || Character.isUpperCase(text.charAt(0)) && text.length() > 1 && Character.isUpperCase(text.charAt(1))
                ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
}
