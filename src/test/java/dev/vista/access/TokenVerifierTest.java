package dev.vista.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.vista.config.Config;
import dev.vista.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a token is worth, without a database: keys and algorithms, times, audience, the role claim, the configuration. */
class TokenVerifierTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path directory;

    static Config.Access access(String... env) {
        var map = new HashMap<String, String>();
        for (int i = 0; i < env.length; i += 2) {
            map.put(env[i], env[i + 1]);
        }
        return Config.fromEnvironment(map).access();
    }

    static String sign(JWSSigner signer, JWSAlgorithm algorithm, String kid, JWTClaimsSet claims) throws Exception {
        var jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    @Test
    void a_token_signed_by_vista_token_names_its_role_and_carries_its_claims() {
        var access = access("VISTA_JWT_SECRET", SECRET);
        var token = TokenSigner.of(access).sign("analyst", Optional.of("7"), Duration.ofMinutes(5), Map.of("team", "north"), Instant.now());
        var caller = TokenVerifier.of(access).verify(token);
        assertThat(caller.role()).contains("analyst");
        assertThat(caller.claims()).contains("\"sub\":\"7\"", "\"team\":\"north\"", "\"role\":\"analyst\"", "\"exp\":");
    }

    @Test
    void a_caller_knows_when_its_token_expires_and_the_anonymous_role_never_does() throws Exception {
        var access = access("VISTA_JWT_SECRET", SECRET, "VISTA_ANON_ROLE", "web_anon");
        var verifier = TokenVerifier.of(access);
        var now = Instant.parse("2026-01-12T10:00:00Z");
        var token = TokenSigner.of(access).sign("analyst", Optional.empty(), Duration.ofHours(8), Map.of(), Instant.now());
        assertThat(verifier.verify(token).expires()).hasValueSatisfying(exp ->
                assertThat(Duration.between(Instant.now(), exp)).isBetween(Duration.ofHours(7), Duration.ofHours(8)));
        var forever = sign(new MACSigner(SECRET), JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder().claim("role", "analyst")
                .issueTime(Date.from(now)).build());
        assertThat(verifier.verify(forever).expires()).isEmpty();
        assertThat(verifier.caller(Optional.empty()).expires()).isEmpty();
        assertThat(Caller.CONNECTION.expires()).isEmpty();
        assertThat(verifier.anonRole()).contains("web_anon");
        assertThat(TokenVerifier.of(access("VISTA_ANON_ROLE", "web_anon")).anonRole()).as("no tokens, no anonymous role").isEmpty();
    }

    @Test
    void expiry_has_a_small_leeway_for_clocks_that_differ() throws Exception {
        var verifier = TokenVerifier.of(access("VISTA_JWT_SECRET", SECRET));
        var justExpired = sign(new MACSigner(SECRET), JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder().claim("role", "analyst")
                .expirationTime(Date.from(Instant.now().minusSeconds(10))).build());
        assertThat(verifier.verify(justExpired).role()).contains("analyst");
        var expired = sign(new MACSigner(SECRET), JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder().claim("role", "analyst")
                .expirationTime(Date.from(Instant.now().minusSeconds(TokenVerifier.CLOCK_SKEW_SECONDS + 30))).build());
        assertThatThrownBy(() -> verifier.verify(expired)).hasMessage("the token has expired");
    }

    @Test
    void with_a_key_file_rs256_and_es256_tokens_verify_and_an_hs256_token_made_with_the_public_key_does_not() throws Exception {
        var rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        var ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        var file = directory.resolve("jwks.json");
        // the file may hold private keys too: only their public parts are used
        Files.writeString(file, new JWKSet(java.util.List.of(rsa, ec)).toString(false));
        var verifier = TokenVerifier.of(access("VISTA_JWKS_FILE", file.toString()));
        var claims = new JWTClaimsSet.Builder().claim("role", "analyst").build();

        assertThat(verifier.verify(sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1", claims)).role()).contains("analyst");
        assertThat(verifier.verify(sign(new ECDSASigner(ec), JWSAlgorithm.ES256, "ec-1", claims)).role()).contains("analyst");

        // the classic confusion: HMAC with the server's public key as the secret
        var publicKeyAsSecret = ((RSAKey) rsa.toPublicJWK()).toRSAPublicKey().getEncoded();
        var forged = sign(new MACSigner(publicKeyAsSecret), JWSAlgorithm.HS256, "rsa-1", claims);
        assertThatThrownBy(() -> verifier.verify(forged))
                .hasMessage("the token is signed with an algorithm or key Vista does not accept (it accepts ES256, RS256)");
        var otherKey = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        assertThatThrownBy(() -> verifier.verify(sign(new RSASSASigner(otherKey), JWSAlgorithm.RS256, "rsa-1", claims)))
                .hasMessage("the token's signature does not verify");
    }

    @Test
    void with_a_secret_an_rs256_token_is_refused() throws Exception {
        var rsa = new RSAKeyGenerator(2048).generate();
        var token = sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, null, new JWTClaimsSet.Builder().claim("role", "analyst").build());
        assertThatThrownBy(() -> TokenVerifier.of(access("VISTA_JWT_SECRET", SECRET)).verify(token))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("it accepts HS256");
    }

    @Test
    void the_audience_is_checked_when_one_is_configured() throws Exception {
        var verifier = TokenVerifier.of(access("VISTA_JWT_SECRET", SECRET, "VISTA_JWT_AUDIENCE", "vista"));
        var signer = new MACSigner(SECRET);
        var forVista = sign(signer, JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder().claim("role", "a").audience("vista").build());
        assertThat(verifier.verify(forVista).role()).contains("a");
        var forOthers = sign(signer, JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder().claim("role", "a").audience("billing").build());
        assertThatThrownBy(() -> verifier.verify(forOthers)).hasMessage("the token is not for this audience (aud)");
        var forNobody = sign(signer, JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder().claim("role", "a").build());
        assertThatThrownBy(() -> verifier.verify(forNobody)).hasMessage("the token is not for this audience (aud)");
    }

    @Test
    void the_role_comes_from_the_configured_claim_and_a_token_without_one_reads_as_the_anonymous_role() throws Exception {
        var signer = new MACSigner(SECRET);
        var token = sign(signer, JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder().claim("db_role", "analyst").claim("role", "admin").build());
        assertThat(TokenVerifier.of(access("VISTA_JWT_SECRET", SECRET, "VISTA_JWT_ROLE_CLAIM", "db_role")).verify(token).role()).contains("analyst");
        var noRole = sign(signer, JWSAlgorithm.HS256, null, new JWTClaimsSet.Builder().subject("7").build());
        assertThat(TokenVerifier.of(access("VISTA_JWT_SECRET", SECRET, "VISTA_ANON_ROLE", "web_anon")).verify(noRole).role()).contains("web_anon");
        assertThatThrownBy(() -> TokenVerifier.of(access("VISTA_JWT_SECRET", SECRET)).verify(noRole))
                .hasMessage("the token has no 'role' claim naming the role to read as");
    }

    @Test
    void without_token_configuration_every_caller_is_the_connections_own_role() {
        var verifier = TokenVerifier.of(access());
        assertThat(verifier.caller(Optional.of("anything"))).isEqualTo(Caller.CONNECTION);
        assertThat(verifier.caller(Optional.empty())).isEqualTo(Caller.CONNECTION);
        assertThat(verifier.tokensRequired()).isFalse();
        assertThat(TokenVerifier.of(access("VISTA_JWT_SECRET", SECRET)).tokensRequired()).isTrue();
        assertThatThrownBy(() -> TokenVerifier.of(access("VISTA_JWT_SECRET", SECRET)).caller(Optional.empty()))
                .isInstanceOf(InvalidTokenException.class).extracting(e -> ((InvalidTokenException) e).kind()).isEqualTo(InvalidTokenException.Kind.MISSING);
    }

    @Test
    void a_secret_shorter_than_32_bytes_is_refused_naming_the_variable() {
        assertThatThrownBy(() -> access("VISTA_JWT_SECRET", "too-short-a-secret"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("VISTA_JWT_SECRET is 18 bytes long; HS256 needs at least 32");
        assertThatThrownBy(() -> access("VISTA_JWT_SECRET", SECRET, "VISTA_JWKS_FILE", "/etc/hostname"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VISTA_JWT_SECRET and VISTA_JWKS_FILE are both set");
        assertThatThrownBy(() -> access("VISTA_JWKS_FILE", directory.resolve("missing.json").toString()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("VISTA_JWKS_FILE=");
        assertThatThrownBy(() -> TokenVerifier.of(access("VISTA_JWT_SECRET", SECRET, "VISTA_ANON_ROLE", "x\"; --")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("VISTA_ANON_ROLE=");
    }

    @Test
    void role_names_are_plain_words_of_at_most_63_bytes_and_never_predefined_roles() {
        assertThat(RoleName.isValid("web_anon")).isTrue();
        assertThat(RoleName.isValid("alice@example.com")).isTrue();
        assertThat(RoleName.isValid("a".repeat(63))).isTrue();
        assertThat(RoleName.isValid("a".repeat(64))).isFalse();
        assertThat(RoleName.isValid("")).isFalse();
        assertThat(RoleName.isValid("x\"; DROP TABLE users; --")).isFalse();
        assertThat(RoleName.isValid("with space")).isFalse();
        assertThat(RoleName.isValid("PG_monitor")).isFalse();
        assertThat(RoleName.isValid("rôle")).isFalse();
    }
}
