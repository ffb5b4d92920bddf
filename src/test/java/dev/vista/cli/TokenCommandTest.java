package dev.vista.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.access.TokenVerifier;
import dev.vista.config.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code vista token}: a token signed with VISTA_JWT_SECRET that Vista accepts; and the secret's own checks at start. */
class TokenCommandTest {

    static final Map<String, String> ENV = Map.of("VISTA_JWT_SECRET", "0123456789abcdef0123456789abcdef");

    @Test
    void vista_token_prints_a_token_for_the_role_with_its_subject_claims_and_lifetime() throws Exception {
        var run = CommandRun.of(ENV, "token", "--role", "analyst", "--sub", "42", "--ttl", "15m", "--claim", "team=north");
        assertThat(run.exit()).as(run.err()).isZero();
        var token = run.out().strip();
        assertThat(token.split("\\.")).hasSize(3);
        var caller = TokenVerifier.of(Config.fromEnvironment(ENV).access()).verify(token);
        assertThat(caller.role()).contains("analyst");
        assertThat(caller.claims()).contains("\"sub\":\"42\"", "\"team\":\"north\"");
        var claims = new com.fasterxml.jackson.databind.ObjectMapper().readTree(caller.claims());
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(15 * 60);
    }

    @Test
    void vista_token_without_a_role_or_with_a_bad_one_is_wrong_usage() {
        assertThat(CommandRun.of(ENV, "token").err()).startsWith("vista: token: missing required option: '--role=R'");
        assertThat(CommandRun.of(ENV, "token").exit()).isEqualTo(2);
        var bad = CommandRun.of(ENV, "token", "--role", "x\"; drop table users");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("not a role name");
        assertThat(CommandRun.of(ENV, "token", "--role", "a", "--ttl", "soon").exit()).isEqualTo(2);
    }

    @Test
    void vista_token_without_a_secret_says_what_to_set() {
        var run = CommandRun.of(Map.of(), "token", "--role", "analyst");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("vista: signing a token needs VISTA_JWT_SECRET");
    }

    @Test
    void a_secret_shorter_than_32_bytes_refuses_to_start_naming_the_variable() {
        var run = CommandRun.of(Map.of("VISTA_JWT_SECRET", "short"), "serve");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("vista: VISTA_JWT_SECRET is 5 bytes long; HS256 needs at least 32");
    }
}
