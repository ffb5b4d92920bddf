package dev.vista.cli;

import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One run of the command line, in process, with the environment given: its exit code and what it printed. */
record CommandRun(int exit, String out, String err) {

    static CommandRun of(Map<String, String> env, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var exit = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The environment that points Vista at a test's database, plus {@code more} (name, value, name, value, ...). */
    static Map<String, String> environment(HikariDataSource dataSource, String... more) {
        var env = new HashMap<String, String>();
        env.put("VISTA_DATABASE_URL", dataSource.getJdbcUrl());
        env.put("VISTA_DATABASE_USER", dataSource.getUsername());
        env.put("VISTA_DATABASE_PASSWORD", dataSource.getPassword() == null ? "" : dataSource.getPassword());
        env.put("VISTA_DATABASE_POOL_SIZE", "4");
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }
}
