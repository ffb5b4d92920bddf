package dev.vista.access;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Who a request reads as: the PostgreSQL role its token names (or the anonymous role) and the token's claims as JSON,
 * which a read session hands to PostgreSQL as {@code request.jwt.claims} for row-level security policies. No role:
 * the connection's own (no token configuration at all, or Vista itself).
 *
 * @param role   a validated role name ({@link RoleName}); empty for the connection's own role
 * @param claims the verified claims as a JSON object ({@code {}} without a token)
 */
public record Caller(Optional<String> role, String claims) {

    /** Reads as the connection's own role, as Vista does without token configuration. */
    public static final Caller CONNECTION = new Caller(Optional.empty(), "{}");

    public Caller {
        role.ifPresent(RoleName::check);
    }

    public static Caller as(String role, String claims) {
        return new Caller(Optional.of(role), claims);
    }

    public boolean isConnection() {
        return role.isEmpty();
    }

    /** When the token expires ({@code exp}); empty for a token without one, the anonymous role and the connection's own. */
    public Optional<Instant> expires() {
        try {
            return Optional.ofNullable(JWTClaimsSet.parse(claims).getExpirationTime()).map(Date::toInstant);
        } catch (ParseException e) {
            throw new IllegalStateException("a caller's claims are the JSON object of verified claims", e);
        }
    }
}
