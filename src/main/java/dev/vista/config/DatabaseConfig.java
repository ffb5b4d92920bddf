package dev.vista.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

// Where Vista's PostgreSQL is: an external server (VISTA_DATABASE_URL) or an embedded one kept in VISTA_DATA_DIR.
public record DatabaseConfig(Optional<String> jdbcUrl, String user, String password, Path dataDir, int maxPoolSize) {

    public static DatabaseConfig fromEnvironment(Map<String, String> env, int poolSize) {
        var url = Optional.ofNullable(env.get("VISTA_DATABASE_URL")).filter(s -> !s.isBlank());
        var jdbcUrl = url.map(DatabaseConfig::toJdbcUrl);
        var user = env.getOrDefault("VISTA_DATABASE_USER", url.flatMap(DatabaseConfig::userInfo).map(u -> u[0]).orElse("postgres"));
        var password = env.getOrDefault("VISTA_DATABASE_PASSWORD", url.flatMap(DatabaseConfig::userInfo).filter(u -> u.length > 1).map(u -> u[1]).orElse(""));
        var dataDir = Path.of(env.getOrDefault("VISTA_DATA_DIR", "data"));
        return new DatabaseConfig(jdbcUrl, user, password, dataDir, poolSize);
    }

    public static DatabaseConfig embedded(Path dataDir) {
        return new DatabaseConfig(Optional.empty(), "postgres", "", dataDir, 10);
    }

    public boolean isEmbedded() {
        return jdbcUrl.isEmpty();
    }

    /** Accepts both {@code jdbc:postgresql://host:port/db} and libpq's {@code postgresql://user:pw@host:port/db}. */
    static String toJdbcUrl(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return url;
        }
        if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
            var uri = URI.create(url);
            var port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
            var query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return "jdbc:postgresql://" + uri.getHost() + port + uri.getRawPath() + query;
        }
        throw new ConfigException("VISTA_DATABASE_URL must start with jdbc:postgresql:// or postgresql://, got: " + url);
    }

    private static Optional<String[]> userInfo(String url) {
        if (url.startsWith("jdbc:")) {
            return Optional.empty();
        }
        return Optional.ofNullable(URI.create(url).getUserInfo()).map(info -> info.split(":", 2));
    }
}
