package dev.vista.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.vista.config.Config;
import dev.vista.config.ConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;

/**
 * Signs tokens with {@code VISTA_JWT_SECRET} (HS256), for operators and the README's walkthrough ({@code vista token}):
 * the role in the configured role claim, {@code sub} when given, {@code iat} and {@code exp}, the audience when one is
 * configured, and any further string claims. A token it signs is one {@link TokenVerifier} accepts under the same
 * configuration.
 */
public final class TokenSigner {

    private final MACSigner signer;
    private final Config.Access access;

    private TokenSigner(MACSigner signer, Config.Access access) {
        this.signer = signer;
        this.access = access;
    }

    /** A signer for the configured secret; {@link ConfigException} when VISTA_JWT_SECRET is not set. */
    public static TokenSigner of(Config.Access access) {
        var secret = access.jwtSecret().orElseThrow(() -> new ConfigException(
                "signing a token needs VISTA_JWT_SECRET (at least " + Config.Access.MIN_SECRET_BYTES + " bytes); with VISTA_JWKS_FILE, tokens come from whoever holds the private keys"));
        try {
            return new TokenSigner(new MACSigner(secret), access);
        } catch (JOSEException e) {
            throw new ConfigException("VISTA_JWT_SECRET cannot sign HS256 tokens: " + e.getMessage());
        }
    }

    /** A signed token for {@code role}, valid from {@code now} for {@code ttl}. */
    public String sign(String role, Optional<String> subject, Duration ttl, Map<String, String> claims, Instant now) {
        RoleName.check(role);
        var builder = new JWTClaimsSet.Builder();
        claims.forEach(builder::claim);
        builder.claim(access.roleClaim(), role)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        subject.ifPresent(builder::subject);
        access.audience().ifPresent(builder::audience);
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), builder.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        return jwt.serialize();
    }
}
