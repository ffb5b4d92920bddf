package dev.vista.bench;

import dev.vista.access.TokenSigner;
import dev.vista.config.Config;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * What reading as a token's role costs: the 100-row page of visits_summary_mv from one client, without a token (the
 * connection's own role: one statement in autocommit) and with one (set_config of the role and of
 * request.jwt.claims sent ahead of the query in its own message, ReadSessions#rows), from a second Vista configured for
 * tokens; rounds alternate.
 */
final class RoleSwitchScenario implements Scenario {

    private static final String SCENARIO = "100-row page of visits_summary_mv, as a token's role";
    private static final String ROLE = "vista_bench_reader";

    private final VistaProcess server;

    RoleSwitchScenario(VistaProcess server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "role-switch";
    }

    @Override
    public void run(BenchContext context) throws Exception {
        var dsl = context.dsl();
        var secretBytes = new byte[32];
        new SecureRandom().nextBytes(secretBytes);
        var secret = Base64.getEncoder().encodeToString(secretBytes);
        // roles belong to the whole server: one of the bench's own, granted to the connection user (the authenticator)
        dsl.execute("DROP ROLE IF EXISTS " + ROLE);
        dsl.execute("CREATE ROLE " + ROLE + " NOLOGIN");
        try {
            dsl.execute("GRANT SELECT ON visits_summary_mv TO " + ROLE);
            dsl.execute("GRANT " + ROLE + " TO CURRENT_USER");
            var access = Config.fromEnvironment(Map.of("VISTA_JWT_SECRET", secret)).access();
            var token = TokenSigner.of(access).sign(ROLE, Optional.empty(), Duration.ofHours(6), Map.of(), Instant.now());
            try (var tokens = VistaProcess.start(context.database(), context.out(), Map.of("VISTA_JWT_SECRET", secret))) {
                var path = "/api/reports/visits_summary_mv?limit=100";
                var plain = URI.create(server.base() + path);
                var asRole = URI.create(tokens.base() + path);
                var bearer = Map.of("Authorization", "Bearer " + token);
                var options = context.options();
                // The new server's JIT warms up under load first: the first server has served every scenario before this
                // one, and an interpreted Jetty, Javalin, jOOQ and Jackson would be measured instead of the role switch.
                HttpLoad.run(asRole, options.httpConnections(), Duration.ofSeconds(options.httpSeconds()).multipliedBy(4), bearer);
                HttpLoad.run(asRole, 1, Duration.ofSeconds(options.httpSeconds()), bearer);
                var round = Duration.ofMillis(Math.max(1000, options.httpSeconds() * 200L));
                var without = new ArrayList<Double>();
                var with = new ArrayList<Double>();
                for (int i = 0; i < Math.max(3, options.iterations()); i++) {
                    without.add(HttpLoad.run(plain, 1, round, HttpLoad.READ_ANEW).p50()); // read, as a token's answer always is
                    with.add(HttpLoad.run(asRole, 1, round, bearer).p50());
                }
                context.report().inform(SCENARIO, "HTTP latency with a token (p50, one client): its role and claims set in the query's own round trip",
                        new Timings.Samples("token", with), "no token (the connection's role, one statement; rows read each time)", new Timings.Samples("plain", without));
            }
        } finally {
            dsl.execute("DROP OWNED BY " + ROLE);
            dsl.execute("DROP ROLE " + ROLE);
        }
    }
}
