package dev.vista.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything Vista reads from its environment, with the defaults of DESIGN.md; a value it cannot use is a ConfigException naming it.
 *
 * @param requestLog VISTA_REQUEST_LOG (default on): one INFO line per HTTP request; {@code off} silences it (metrics are kept either way)
 * @param replicas   VISTA_READ_URL and VISTA_MAX_REPLICA_LAG: the hot standbys that serve report reads
 * @param answerCacheMegabytes VISTA_ANSWER_CACHE_MB (default 64): the memory JSON answers of stored rows may take, kept
 *                   until the next refresh; 0 keeps none
 */
public record Config(String host, int port, String adminToken, boolean adminTokenGenerated, Duration statementTimeout, DatabaseConfig database,
                     Refresh refresh, Access access, Pages pages, boolean requestLog, ReplicaConfig replicas, long answerCacheMegabytes) {

    /** VISTA_REFRESH_TIMEOUT (default 10m): the longest a refresh may run; VISTA_REFRESH_SCHEDULES=off stops scheduled refreshes. */
    public record Refresh(Duration timeout, boolean scheduled) {
    }

    /**
     * VISTA_FACET_TIMEOUT (default 200ms): the longest each facet of a report page, and a count tried for its total,
     * may take before the page goes without it; VISTA_CHART_TIMEOUT (default 1s): the same for its chart.
     */
    public record Pages(Duration facetTimeout, Duration chartTimeout) {
    }

    /**
     * Who may read what (DESIGN.md, Access): tokens signed with {@code jwtSecret} (HS256, VISTA_JWT_SECRET) or by a key
     * of {@code jwksFile} (RS256/ES256, VISTA_JWKS_FILE) name the PostgreSQL role a request runs as, in the claim
     * {@code roleClaim}; {@code audience} is checked when set; a request without a token runs as {@code anonRole}, or is
     * refused when none is set. Tokens whose role is one of {@code adminRoles} may use the admin endpoints.
     * {@code trustProxy}: X-Forwarded-Proto says whether the browser came over HTTPS. Neither secret nor file: no
     * tokens, every request reads as the connection's own role (the demo).
     */
    public record Access(Optional<byte[]> jwtSecret, Optional<Path> jwksFile, String roleClaim, Optional<String> audience,
                         Optional<String> anonRole, List<String> adminRoles, boolean trustProxy) {

        /** HS256 needs a key at least as long as its hash (RFC 7518, section 3.2). */
        public static final int MIN_SECRET_BYTES = 32;

        public static final Access NONE = new Access(Optional.empty(), Optional.empty(), "role", Optional.empty(), Optional.empty(), List.of(), false);

        public boolean tokens() {
            return jwtSecret.isPresent() || jwksFile.isPresent();
        }

        static Access fromEnvironment(Map<String, String> env) {
            var secret = text(env, "VISTA_JWT_SECRET").map(s -> s.getBytes(StandardCharsets.UTF_8));
            if (secret.isPresent() && secret.get().length < MIN_SECRET_BYTES) {
                throw new ConfigException("VISTA_JWT_SECRET is " + secret.get().length + " bytes long; HS256 needs at least " + MIN_SECRET_BYTES
                        + " (e.g. openssl rand -base64 32)");
            }
            var jwks = text(env, "VISTA_JWKS_FILE").map(Path::of);
            if (secret.isPresent() && jwks.isPresent()) {
                throw new ConfigException("VISTA_JWT_SECRET and VISTA_JWKS_FILE are both set; set one: a secret (HS256) or a file of public keys (RS256/ES256)");
            }
            jwks.filter(file -> !Files.isReadable(file)).ifPresent(file -> {
                throw new ConfigException("VISTA_JWKS_FILE=" + file + " is not a readable file");
            });
            var roleClaim = text(env, "VISTA_JWT_ROLE_CLAIM").orElse("role");
            var adminRoles = text(env, "VISTA_ADMIN_ROLES").map(s -> Arrays.stream(s.split(",")).map(String::strip).filter(r -> !r.isEmpty()).toList())
                    .orElse(List.of());
            var trustProxy = onOff(env, "VISTA_TRUST_PROXY", false);
            return new Access(secret, jwks, roleClaim, text(env, "VISTA_JWT_AUDIENCE"), text(env, "VISTA_ANON_ROLE"), adminRoles, trustProxy);
        }
    }

    public static Config fromEnvironment(Map<String, String> env) {
        var host = text(env, "VISTA_HOST").orElse("127.0.0.1");
        var port = Math.toIntExact(number(env, "VISTA_PORT", 7070, 0, 65_535));
        var token = Optional.ofNullable(env.get("VISTA_ADMIN_TOKEN")).filter(s -> !s.isBlank());
        var timeout = duration(env, "VISTA_STATEMENT_TIMEOUT", "30s");
        var refresh = new Refresh(duration(env, "VISTA_REFRESH_TIMEOUT", "10m"), onOff(env, "VISTA_REFRESH_SCHEDULES", true));
        var poolSize = Math.toIntExact(number(env, "VISTA_DATABASE_POOL_SIZE", 10, 1, 1_000));
        var pages = new Pages(duration(env, "VISTA_FACET_TIMEOUT", "200ms"), duration(env, "VISTA_CHART_TIMEOUT", "1s"));
        return new Config(host, port, token.orElseGet(Config::randomToken), token.isEmpty(), timeout, DatabaseConfig.fromEnvironment(env, poolSize),
                refresh, Access.fromEnvironment(env), pages, onOff(env, "VISTA_REQUEST_LOG", true), ReplicaConfig.fromEnvironment(env),
                number(env, "VISTA_ANSWER_CACHE_MB", 64, 0, 1 << 20));
    }

    /** The same configuration with {@code access} instead (tests, the benchmark). */
    public Config withAccess(Access access) {
        return new Config(host, port, adminToken, adminTokenGenerated, statementTimeout, database, refresh, access, pages, requestLog, replicas, answerCacheMegabytes);
    }

    /** A variable's value without surrounding blanks; empty when unset or blank. */
    private static Optional<String> text(Map<String, String> env, String variable) {
        return Optional.ofNullable(env.get(variable)).map(String::strip).filter(s -> !s.isEmpty());
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
            default -> throw new ConfigException(variable + "=" + text + " must be on or off (true or false)");
        };
    }

    private static String randomToken() {
        var bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
