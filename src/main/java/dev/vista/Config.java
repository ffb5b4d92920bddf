package dev.vista;

import dev.vista.database.DatabaseConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

// Everything Vista reads from its environment, with the defaults of DESIGN.md.
public record Config(int port, String adminToken, boolean adminTokenGenerated, Duration statementTimeout, DatabaseConfig database,
                     Refresh refresh) {

    /** VISTA_REFRESH_TIMEOUT (default 10m): the longest a refresh may run; VISTA_REFRESH_SCHEDULES=off stops scheduled refreshes. */
    public record Refresh(Duration timeout, boolean scheduled) {
    }


    public static Config fromEnvironment(Map<String, String> env) {
        var port = Integer.parseInt(env.getOrDefault("VISTA_PORT", "7070"));
        var token = Optional.ofNullable(env.get("VISTA_ADMIN_TOKEN")).filter(s -> !s.isBlank());
        var timeout = parseDuration(env.getOrDefault("VISTA_STATEMENT_TIMEOUT", "30s"));
        var refresh = new Refresh(parseDuration(env.getOrDefault("VISTA_REFRESH_TIMEOUT", "10m")),
                !env.getOrDefault("VISTA_REFRESH_SCHEDULES", "on").equalsIgnoreCase("off"));
        return new Config(port, token.orElseGet(Config::randomToken), token.isEmpty(), timeout, DatabaseConfig.fromEnvironment(env), refresh);
    }

    public Config withDatabase(DatabaseConfig database) {
        return new Config(port, adminToken, adminTokenGenerated, statementTimeout, database, refresh);
    }

    public Config withRefresh(Refresh refresh) {
        return new Config(port, adminToken, adminTokenGenerated, statementTimeout, database, refresh);
    }

    public Config withPort(int port) {
        return new Config(port, adminToken, adminTokenGenerated, statementTimeout, database, refresh);
    }

    /** "30s", "500ms", "2m" or a number of seconds. */
    public static Duration parseDuration(String text) {
        var value = text.strip().toLowerCase();
        if (value.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        if (value.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(value));
    }

    private static String randomToken() {
        var bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
