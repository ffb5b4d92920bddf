package dev.vista.cli;

import dev.vista.Vista;
import dev.vista.access.TokenSigner;
import dev.vista.bench.Bench;
import dev.vista.config.Config;
import dev.vista.config.ConfigException;
import dev.vista.config.Durations;
import dev.vista.database.Database;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.MigrationException;
import dev.vista.migrate.Migrator;
import dev.vista.refresh.Freshness;
import dev.vista.refresh.RefreshException;
import dev.vista.refresh.RefreshRequest;
import dev.vista.refresh.RefreshResult;
import dev.vista.refresh.Refresher;
import dev.vista.refresh.Trigger;
import dev.vista.seed.DemoData;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * {@code java -jar vista.jar [serve | migrate [--plan | --check] | seed --visits N [--users N] | refresh [VIEW] [options] | token --role R [options] | bench [options]]}.
 * Exit codes: 0 done, 1 failed, 2 wrong usage (arguments, or a value in the environment Vista cannot use),
 * 3 ({@code migrate --check}) the database differs from db/, 4 ({@code refresh}) refused: already running, or
 * impossible as asked.
 */
public final class Main {

    private static final String USAGE = """
            usage: vista [command]
              serve                          migrate, seed an empty database, serve HTTP (default)
              migrate                        apply db/ to the database: table changesets, then views
              migrate --plan                 print what migrate would do, change nothing
              migrate --check                exit 3 if the database differs from db/ (pending or hand-edited)
              seed --visits N [--users N]    replace all data with N visits (default users: 1000)
              bench [--visits N] [--users N] [--iterations N] [--warmups N] [--http-seconds N]
                    [--connections N] [--output FILE | --no-write] [--replace-data]
                                             measure every claim beside its reference; writes BENCHMARKS.md
              refresh [VIEW] [--concurrently] [--cascade] [--fallback] [--wait]
                                             refresh VIEW (no VIEW: every materialized view, in dependency order);
                                             --cascade: also what it reads from (first) and what reads it (after);
                                             --fallback: plain refresh where CONCURRENTLY is impossible;
                                             --wait: wait for a refresh of it that is already running
              token --role R [--sub S] [--ttl 1h] [--claim k=v]...
                                             print a token for role R signed with VISTA_JWT_SECRET
            environment: VISTA_DATABASE_URL, VISTA_DATABASE_USER, VISTA_DATABASE_PASSWORD, VISTA_DATA_DIR,
                         VISTA_HOST, VISTA_PORT, VISTA_ADMIN_TOKEN, VISTA_STATEMENT_TIMEOUT, VISTA_REFRESH_TIMEOUT,
                         VISTA_REFRESH_SCHEDULES, VISTA_JWT_SECRET, VISTA_JWKS_FILE, VISTA_JWT_ROLE_CLAIM,
                         VISTA_JWT_AUDIENCE, VISTA_ANON_ROLE, VISTA_ADMIN_ROLES, VISTA_TRUST_PROXY
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /** With the environment given, so tests can point the command line at their own database. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        try {
            return run(args, out, err, Config.fromEnvironment(env));
        } catch (ConfigException e) {
            err.println("vista: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("vista: " + messages(e));
            return 1;
        }
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, with the configuration given instead of read from the environment. */
    static int run(String[] args, PrintStream out, PrintStream err, Config config) {
        try {
            return dispatch(args, out, err, config);
        } catch (Exception e) {
            err.println("vista: " + messages(e));
            return 1;
        }
    }

    private static int dispatch(String[] args, PrintStream out, PrintStream err, Config config) throws Exception {
        var arguments = new ArrayList<>(List.of(args));
        var command = arguments.isEmpty() ? "serve" : arguments.removeFirst();
        try {
            return switch (command) {
                case "serve" -> serve(config);
                case "migrate" -> migrate(config, arguments, out);
                case "seed" -> seed(config, arguments, out);
                case "bench" -> bench(config, arguments, out);
                case "refresh" -> refresh(config, arguments, out, err);
                case "token" -> token(config, arguments, out);
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> usage(err, "unknown command: " + command);
            };
        } catch (UsageException e) {
            return usage(err, e.getMessage());
        } catch (ConfigException e) {
            err.println("vista: " + e.getMessage());
            return 2;
        } catch (MigrationException e) {
            err.println("vista: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            // Start-up problems (database unreachable, data directory in use, port taken) as one line, not a stack trace.
            err.println("vista: " + messages(e));
            return 1;
        }
    }

    private static int serve(Config config) {
        var vista = Vista.start(config);
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vista.close();
            stopped.countDown();
        }, "vista-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int migrate(Config config, List<String> arguments, PrintStream out) {
        var mode = arguments.isEmpty() ? "" : arguments.getFirst();
        if (arguments.size() > 1 || !List.of("", "--plan", "--check").contains(mode)) {
            throw new UsageException("migrate takes --plan or --check");
        }
        try (var database = Database.open(config.database())) {
            var migrator = new Migrator(database.dataSource(), ChangelogSource.classpath());
            if (mode.isEmpty()) {
                var result = migrator.migrate();
                out.println("migrated in " + result.took().toMillis() + " ms: " + result.summary());
                return 0;
            }
            var plan = migrator.plan();
            if (plan.changedNothing()) {
                out.println("up to date: the database matches db/");
                return 0;
            }
            out.println(mode.equals("--plan") ? "migrate would (nothing was changed):" : "the database differs from db/; migrate would:");
            plan.lines().forEach(line -> out.println("  " + line));
            return mode.equals("--check") ? 3 : 0;
        }
    }

    private static int seed(Config config, List<String> arguments, PrintStream out) {
        long visits = -1;
        int users = 1000;
        for (int i = 0; i < arguments.size(); i++) {
            var value = i + 1 < arguments.size() ? arguments.get(i + 1) : null;
            switch (arguments.get(i)) {
                case "--visits" -> visits = positive("--visits", value);
                case "--users" -> users = Math.toIntExact(positive("--users", value));
                default -> throw new UsageException("seed: unknown option " + arguments.get(i));
            }
            i++;
        }
        if (visits < 0) {
            throw new UsageException("seed needs --visits N");
        }
        try (var database = Database.open(config.database())) {
            new Migrator(database.dataSource(), ChangelogSource.classpath()).migrate();
            var demo = new DemoData(DSL.using(database.dataSource(), SQLDialect.POSTGRES), refresher(database, config), Trigger.cli,
                    line -> out.println("seed: " + line));
            var timing = demo.seed(visits, users);
            out.printf("seeded %,d visits for %,d users in %.1f s (visits loaded with their indexes and keys in %.1f s, %,.0f rows/s)%n",
                    visits, users, timing.total().toMillis() / 1e3, timing.visits().toMillis() / 1e3, visits / (timing.visits().toMillis() / 1e3));
            return 0;
        }
    }

    private static int bench(Config config, List<String> arguments, PrintStream out) throws Exception {
        var o = Bench.Options.defaults();
        long visits = o.visits();
        int users = o.users();
        int iterations = o.iterations();
        int warmups = o.warmups();
        int httpSeconds = o.httpSeconds();
        int connections = o.httpConnections();
        var output = o.output();
        var replace = false;
        for (int i = 0; i < arguments.size(); i++) {
            var option = arguments.get(i);
            var value = i + 1 < arguments.size() ? arguments.get(i + 1) : null;
            switch (option) {
                case "--visits" -> visits = positive(option, value);
                case "--users" -> users = Math.toIntExact(positive(option, value));
                case "--iterations" -> iterations = Math.toIntExact(positive(option, value));
                case "--warmups" -> warmups = Math.toIntExact(positive(option, value));
                case "--http-seconds" -> httpSeconds = Math.toIntExact(positive(option, value));
                case "--connections" -> connections = Math.toIntExact(positive(option, value));
                case "--output" -> output = Optional.of(Path.of(Objects.requireNonNull(value, "--output needs a file")));
                case "--no-write" -> {
                    output = Optional.empty();
                    i--;
                }
                case "--replace-data" -> {
                    replace = true;
                    i--;
                }
                default -> throw new UsageException("bench: unknown option " + option);
            }
            i++;
        }
        if (iterations < 1 || users < 1) {
            throw new UsageException("bench needs --iterations >= 1 and --users >= 1");
        }
        var result = new Bench(config, new Bench.Options(visits, users, iterations, warmups, output, httpSeconds, connections, replace), out).run();
        return result.failed() ? 1 : 0;
    }

    /** {@code token --role R [--sub S] [--ttl 1h] [--claim k=v]...}: a token signed with VISTA_JWT_SECRET, on one line. */
    private static int token(Config config, List<String> arguments, PrintStream out) {
        String role = null;
        Optional<String> subject = Optional.empty();
        var ttl = java.time.Duration.ofHours(1);
        var claims = new LinkedHashMap<String, String>();
        for (int i = 0; i < arguments.size(); i += 2) {
            var option = arguments.get(i);
            var value = i + 1 < arguments.size() ? arguments.get(i + 1) : null;
            if (value == null) {
                throw new UsageException("token: " + option + " needs a value");
            }
            switch (option) {
                case "--role" -> role = value;
                case "--sub" -> subject = Optional.of(value);
                case "--ttl" -> ttl = ttl(value);
                case "--claim" -> {
                    var pair = value.split("=", 2);
                    if (pair.length != 2 || pair[0].isBlank()) {
                        throw new UsageException("token: --claim takes name=value, got: " + value);
                    }
                    claims.put(pair[0].strip(), pair[1]);
                }
                default -> throw new UsageException("token: unknown option " + option);
            }
        }
        if (role == null) {
            throw new UsageException("token needs --role R (the PostgreSQL role requests with the token read as)");
        }
        try {
            out.println(TokenSigner.of(config.access()).sign(role, subject, ttl, claims, Instant.now()));
        } catch (IllegalArgumentException e) {
            throw new UsageException("token: --role " + role + ": " + e.getMessage());
        }
        return 0;
    }

    private static java.time.Duration ttl(String value) {
        try {
            var ttl = Durations.parse(value);
            if (!ttl.isZero()) {
                return ttl;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new UsageException("token: --ttl takes " + Durations.FORMS + ", got: " + value);
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

    private static int refresh(Config config, List<String> arguments, PrintStream out, PrintStream err) {
        var options = List.of("--concurrently", "--cascade", "--fallback", "--wait");
        var views = arguments.stream().filter(a -> !a.startsWith("--")).toList();
        var unknown = arguments.stream().filter(a -> a.startsWith("--") && !options.contains(a)).toList();
        if (views.size() > 1 || !unknown.isEmpty()) {
            throw new UsageException("refresh takes one view and " + String.join(", ", options) + (unknown.isEmpty() ? "" : "; unknown: " + unknown));
        }
        try (var database = Database.open(config.database())) {
            new Migrator(database.dataSource(), ChangelogSource.classpath()).migrate();
            var refresher = refresher(database, config);
            List<RefreshResult> results;
            if (views.isEmpty()) {
                if (arguments.contains("--cascade")) {
                    throw new UsageException("refresh without a view refreshes everything already; --cascade needs a view");
                }
                results = refresher.refreshAll(Trigger.cli, arguments.contains("--wait"));
            } else {
                var request = new RefreshRequest(views.getFirst(), arguments.contains("--concurrently"), arguments.contains("--cascade"),
                        arguments.contains("--fallback"), arguments.contains("--wait"), Trigger.cli);
                results = refresher.refresh(request);
            }
            results.forEach(r -> out.println(describe(r)));
            return 0;
        } catch (RefreshException e) {
            e.completed().forEach(r -> out.println(describe(r)));
            err.println("vista: " + e.getMessage());
            return switch (e.reason()) {
                case BUSY, NO_UNIQUE_INDEX, NOT_POPULATED, NOT_MATERIALIZED, UNKNOWN_VIEW -> 4;
                default -> 1;
            };
        }
    }

    /** The refresher of a command: db/views as packaged with Vista, the refresh timeout of the environment. */
    private static Refresher refresher(Database database, Config config) {
        var files = ChangelogSource.classpath().viewFiles();
        var freshness = new Freshness(DSL.using(database.dataSource(), SQLDialect.POSTGRES), files);
        return Refresher.of(database.dataSource(), files, freshness, config.refresh().timeout());
    }

    private static String describe(RefreshResult r) {
        return "refreshed %s (%s) in %,d ms: %,d rows%s%s%s".formatted(r.view(), r.mode(), r.durationMs(), r.rows(),
                r.watermark() == null ? "" : ", watermark " + r.watermark(),
                r.touchedBuckets() == null ? "" : ", " + r.touchedBuckets() + " buckets recomputed",
                r.note() == null ? "" : " (" + r.note() + ")");
    }

    private static long positive(String option, String value) {
        try {
            var number = Long.parseLong(value == null ? "" : value.replace("_", ""));
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option + " needs a whole number >= 0, got: " + value);
    }

    private static int usage(PrintStream err, String problem) {
        err.println("vista: " + problem);
        err.print(USAGE);
        return 2;
    }

    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
