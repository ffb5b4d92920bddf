package dev.vista.config;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

// Everything Vista reads from its environment, with the defaults of DESIGN.md; a value it cannot use is a ConfigException naming it.
public record Config(int port, String adminToken, boolean adminTokenGenerated, Duration statementTimeout, DatabaseConfig database,
                     Refresh refresh, Pages pages) {

    /** VISTA_REFRESH_TIMEOUT (default 10m): the longest a refresh may run; VISTA_REFRESH_SCHEDULES=off stops scheduled refreshes. */
    public record Refresh(Duration timeout, boolean scheduled) {
    }

    /**
     * VISTA_FACET_TIMEOUT (default 200ms): the longest each facet of a report page, and a count tried for its total,
     * may take before the page goes without it; VISTA_CHART_TIMEOUT (default 1s): the same for its chart.
     */
    public record Pages(Duration facetTimeout, Duration chartTimeout) {
    }

    public static Config fromEnvironment(Map<String, String> env) {
        var port = Math.toIntExact(number(env, "VISTA_PORT", 7070, 0, 65_535));
        var token = Optional.ofNullable(env.get("VISTA_ADMIN_TOKEN")).filter(s -> !s.isBlank());
        var timeout = duration(env, "VISTA_STATEMENT_TIMEOUT", "30s");
        var refresh = new Refresh(duration(env, "VISTA_REFRESH_TIMEOUT", "10m"), onOff(env, "VISTA_REFRESH_SCHEDULES", true));
        var poolSize = Math.toIntExact(number(env, "VISTA_DATABASE_POOL_SIZE", 10, 1, 1_000));
        var pages = new Pages(duration(env, "VISTA_FACET_TIMEOUT", "200ms"), duration(env, "VISTA_CHART_TIMEOUT", "1s"));
        return new Config(port, token.orElseGet(Config::randomToken), token.isEmpty(), timeout, DatabaseConfig.fromEnvironment(env, poolSize),
                refresh, pages);
    }

    /** A duration variable (see {@link Durations}); zero or a value that is not a duration is refused. */
    static Duration duration(Map<String, String> env, String variable, String fallback) {
        var text = env.getOrDefault(variable, fallback);
        try {
            var duration = Durations.parse(text);
            if (!duration.isZero()) {
                return duration;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ConfigException(variable + "=" + text + " is not a duration; expected " + Durations.FORMS + " (more than zero)");
    }

    private static long number(Map<String, String> env, String variable, long fallback, long min, long max) {
        var text = env.get(variable);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            var value = Long.parseLong(text.strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(variable + "=" + text + " is not a whole number from " + min + " to " + max);
    }

    private static boolean onOff(Map<String, String> env, String variable, boolean fallback) {
        var text = env.get(variable);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new ConfigException(variable + "=" + text + " must be on or off");
        };
    }

    private static String randomToken() {
        var bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
