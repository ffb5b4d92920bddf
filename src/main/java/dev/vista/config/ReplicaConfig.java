package dev.vista.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.postgresql.Driver;

/**
 * Hot standbys for report reads: {@code VISTA_READ_URL}, a PgJDBC URL naming one or more standbys (multi-host syntax,
 * {@code jdbc:postgresql://a:5432,b:5432/db?targetServerType=secondary}); unset, every read goes to the primary.
 * {@code VISTA_MAX_REPLICA_LAG} (default 30s): a standby further behind is not read from.
 */
public record ReplicaConfig(Optional<String> readUrl, Duration maxLag) {

    /** What a read URL may ask PgJDBC to connect to: standbys, preferably, never the primary alone. */
    private static final Set<String> TARGETS = Set.of("any", "secondary", "prefersecondary", "slave", "preferslave");

    public static ReplicaConfig none() {
        return new ReplicaConfig(Optional.empty(), Duration.ofSeconds(30));
    }

    public static ReplicaConfig fromEnvironment(Map<String, String> env) {
        var maxLag = Config.duration(env, "VISTA_MAX_REPLICA_LAG", "30s");
        var url = Optional.ofNullable(env.get("VISTA_READ_URL")).map(String::strip).filter(s -> !s.isEmpty());
        url.ifPresent(ReplicaConfig::check);
        return new ReplicaConfig(url, maxLag);
    }

    /** A URL PgJDBC parses, whose targetServerType (when given) lets it connect to standbys. */
    private static void check(String url) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException("VISTA_READ_URL must be a PgJDBC URL, jdbc:postgresql://host[:port][,host[:port]...]/database[?...], got: " + url);
        }
        var parsed = Driver.parseURL(url, new Properties());
        if (parsed == null) {
            throw new ConfigException("VISTA_READ_URL is not a URL PgJDBC can read: " + url);
        }
        var target = parsed.getProperty("targetServerType");
        if (target != null && !TARGETS.contains(target.toLowerCase(Locale.ROOT))) {
            throw new ConfigException("VISTA_READ_URL has targetServerType=" + target + ", but it names the hot standbys that serve reads: "
                    + "use secondary or preferSecondary (or leave it out: preferSecondary)");
        }
    }
}
