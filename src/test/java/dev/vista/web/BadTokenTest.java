package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.vista.testing.AccessFixture;
import dev.vista.testing.TestApp;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's list of bad tokens, one test each: every one is a 401 with a JSON error and {@code WWW-Authenticate:
 * Bearer ... error="invalid_token"}, and the database is exactly as it was afterwards (rows, relations, roles).
 */
class BadTokenTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static AccessFixture fixture;

    @BeforeAll
    static void database() {
        fixture = AccessFixture.create("bad_token");
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    /** Sends {@code token} to a report the restricted user may read, and checks the refusal and that nothing changed. */
    static void refused(String token, String message) {
        var before = fixture.state();
        TestApp.serve(fixture.config(), fixture.vista, (server, client) -> {
            for (var path : new String[] {"/api/reports/visit_log", "/api/reports/visit_log.csv", "/api/reports"}) {
                var response = client.get(path, request -> request.header("Authorization", "Bearer " + token));
                assertThat(response.code()).as(path).isEqualTo(401);
                assertThat(response.headers().get("WWW-Authenticate").getFirst())
                        .isEqualTo("Bearer realm=\"vista\", error=\"invalid_token\", error_description=\"" + message.replace('"', '\'') + "\"");
                var body = JSON.readTree(response.body().string());
                assertThat(body.get("code").asText()).isEqualTo("invalid_token");
                assertThat(body.get("message").asText()).isEqualTo(message);
                assertThat(body.toString()).doesNotContain(token);
            }
        });
        assertThat(fixture.state()).isEqualTo(before);
    }

    static String signed(JWTClaimsSet claims, String secret) throws Exception {
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static JWTClaimsSet.Builder claims(String role) {
        return new JWTClaimsSet.Builder().claim("role", role).subject("1");
    }

    @Test
    void an_expired_token_is_refused() throws Exception {
        var now = Instant.now();
        refused(signed(claims(fixture.restricted).issueTime(Date.from(now.minusSeconds(7200))).expirationTime(Date.from(now.minusSeconds(3600))).build(),
                AccessFixture.SECRET), "the token has expired");
    }

    @Test
    void a_token_that_is_not_valid_yet_is_refused() throws Exception {
        refused(signed(claims(fixture.restricted).notBeforeTime(Date.from(Instant.now().plusSeconds(3600))).build(), AccessFixture.SECRET),
                "the token is not valid yet (nbf is in the future)");
    }

    @Test
    void a_token_signed_with_another_key_is_refused() throws Exception {
        refused(signed(claims(fixture.restricted).build(), "another-secret-that-is-also-32-bytes-long"), "the token's signature does not verify");
    }

    @Test
    void a_token_whose_payload_was_changed_after_signing_is_refused() {
        var parts = fixture.token(fixture.restricted, "1").split("\\.");
        var payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"role\":\"" + fixture.analyst + "\",\"sub\":\"1\"}").getBytes(StandardCharsets.UTF_8));
        refused(parts[0] + "." + payload + "." + parts[2], "the token's signature does not verify");
    }

    @Test
    void a_malformed_token_is_refused() {
        refused("this-is-not-a-token", "the token is not a JWT (header.payload.signature, base64url-encoded JSON)");
    }

    @Test
    void a_token_in_three_parts_that_are_not_json_is_refused() {
        refused("abc.def.ghi", "the token is not a JWT (header.payload.signature, base64url-encoded JSON)");
    }

    @Test
    void an_unsigned_token_with_alg_none_is_refused() {
        var encoder = Base64.getUrlEncoder().withoutPadding();
        var header = encoder.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        var payload = encoder.encodeToString(("{\"role\":\"" + fixture.analyst + "\"}").getBytes(StandardCharsets.UTF_8));
        refused(header + "." + payload + ".", "unsigned tokens (alg: none) are refused");
    }

    @Test
    void an_oversized_token_is_refused_before_it_is_parsed() throws Exception {
        refused(signed(claims(fixture.restricted).claim("padding", "x".repeat(5000)).build(), AccessFixture.SECRET),
                "the token is longer than 4096 characters");
    }

    @Test
    void a_token_naming_a_role_that_does_not_exist_is_refused() throws Exception {
        refused(signed(claims(fixture.superuser.getPoolName() + "_nobody").build(), AccessFixture.SECRET),
                "the token's role is not one this Vista may read as (it does not exist, or the connection's user may not SET ROLE to it)");
    }

    @Test
    void a_token_naming_a_role_the_connection_user_may_not_become_is_refused() throws Exception {
        refused(signed(claims(fixture.outsider).build(), AccessFixture.SECRET),
                "the token's role is not one this Vista may read as (it does not exist, or the connection's user may not SET ROLE to it)");
    }

    @Test
    void a_token_with_sql_in_its_role_claim_is_refused_before_anything_reaches_sql() throws Exception {
        refused(signed(claims(fixture.analyst + "\"; DROP TABLE users; --").build(), AccessFixture.SECRET),
                "the token's 'role' claim is not a role name: 1 to 63 letters, digits or _ $ - . @, not starting with pg_");
    }

    @Test
    void a_token_naming_a_predefined_role_is_refused() throws Exception {
        refused(signed(claims("pg_read_all_data").build(), AccessFixture.SECRET),
                "the token's 'role' claim is not a role name: 1 to 63 letters, digits or _ $ - . @, not starting with pg_");
    }

    @Test
    void a_token_whose_role_claim_is_not_a_string_is_refused() throws Exception {
        refused(signed(new JWTClaimsSet.Builder().claim("role", 42).build(), AccessFixture.SECRET),
                "the token's 'role' claim is not a role name: 1 to 63 letters, digits or _ $ - . @, not starting with pg_");
    }
}
