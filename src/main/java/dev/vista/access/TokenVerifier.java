package dev.vista.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.vista.config.Config;
import dev.vista.config.ConfigException;
import java.io.IOException;
import java.text.ParseException;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a request's token into its {@link Caller}, as PostgREST does: the signature is checked with the configured key
 * and only the configured algorithms (HS256 with {@code VISTA_JWT_SECRET}; RS256 or ES256 with the public keys of
 * {@code VISTA_JWKS_FILE}; never {@code alg: none}, never an HMAC over a public key), then {@code exp} and {@code nbf}
 * (with {@value #CLOCK_SKEW_SECONDS} s of leeway) and {@code aud} when {@code VISTA_JWT_AUDIENCE} is set; the role is
 * the {@code VISTA_JWT_ROLE_CLAIM} claim. Without token configuration every caller is the connection's own role.
 *
 * <p>Every refusal is an {@link InvalidTokenException}; nothing of a token reaches SQL until it has passed all of this,
 * and even then the role only as a checked, quoted identifier and the claims only as a bind value.
 */
public final class TokenVerifier {

    /** Longer tokens are refused before they are parsed: a role and a few claims fit in far less. */
    public static final int MAX_TOKEN_LENGTH = 4096;
    static final int CLOCK_SKEW_SECONDS = 30;

    private final Optional<DefaultJWTProcessor<SecurityContext>> processor;
    private final Set<JWSAlgorithm> algorithms;
    private final String roleClaim;
    private final Optional<String> anonRole;
    /** The caller of requests without a token, made once: every such request and every kept-answer check asks for it. */
    private final Optional<Caller> anonymous;

    private TokenVerifier(Optional<DefaultJWTProcessor<SecurityContext>> processor, Set<JWSAlgorithm> algorithms, String roleClaim,
                          Optional<String> anonRole) {
        this.processor = processor;
        this.algorithms = algorithms;
        this.roleClaim = roleClaim;
        this.anonRole = anonRole;
        this.anonymous = processor.isEmpty() ? Optional.empty()
                : anonRole.map(role -> Caller.as(role, new JWTClaimsSet.Builder().claim(roleClaim, role).build().toString()));
    }

    /** The verifier {@code access} describes; a key file that cannot be read as public keys is a {@link ConfigException}. */
    public static TokenVerifier of(Config.Access access) {
        access.anonRole().filter(role -> !RoleName.isValid(role)).ifPresent(role -> {
            throw new ConfigException("VISTA_ANON_ROLE=" + role + " is not a role name Vista runs requests as: " + invalidRole());
        });
        access.adminRoles().stream().filter(role -> !RoleName.isValid(role)).findFirst().ifPresent(role -> {
            throw new ConfigException("VISTA_ADMIN_ROLES names '" + role + "', which is not a role name Vista runs requests as: " + invalidRole());
        });
        if (!access.tokens()) {
            return new TokenVerifier(Optional.empty(), Set.of(), access.roleClaim(), access.anonRole());
        }
        Set<JWSAlgorithm> algorithms;
        JWKSource<SecurityContext> keys;
        if (access.jwtSecret().isPresent()) {
            algorithms = Set.of(JWSAlgorithm.HS256);
            keys = new ImmutableSecret<>(access.jwtSecret().get());
        } else {
            algorithms = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
            keys = new ImmutableJWKSet<>(publicKeys(access));
        }
        var processor = new DefaultJWTProcessor<SecurityContext>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        var claims = new DefaultJWTClaimsVerifier<SecurityContext>(access.audience().orElse(null), null, Set.of());
        claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(claims);
        return new TokenVerifier(Optional.of(processor), algorithms, access.roleClaim(), access.anonRole());
    }

    /** Only the public part of each RSA or EC key of the file counts: a private key there is not used. */
    private static JWKSet publicKeys(Config.Access access) {
        var file = access.jwksFile().orElseThrow();
        JWKSet keys;
        try {
            keys = JWKSet.load(file.toFile()).toPublicJWKSet();
        } catch (IOException | ParseException e) {
            throw new ConfigException("VISTA_JWKS_FILE=" + file + " is not a JWK set ({\"keys\": [...]}): " + e.getMessage());
        }
        var usable = keys.getKeys().stream().filter(k -> k.getKeyType() == KeyType.RSA || k.getKeyType() == KeyType.EC).toList();
        if (usable.isEmpty()) {
            throw new ConfigException("VISTA_JWKS_FILE=" + file + " holds no RSA or EC public key (RS256/ES256)");
        }
        return new JWKSet(usable);
    }

    /** Whether requests need a token (or the anonymous role) at all. */
    public boolean tokensRequired() {
        return processor.isPresent() && anonRole.isEmpty();
    }

    public boolean tokensConfigured() {
        return processor.isPresent();
    }

    /** The role a request without a token reads as ({@code VISTA_ANON_ROLE}); empty when such a request is refused. */
    public Optional<String> anonRole() {
        return processor.isPresent() ? anonRole : Optional.empty();
    }

    /**
     * The caller a request reads as: the role its token names; without a token, the anonymous role, or a refusal when
     * there is none. Without token configuration, the connection's own role, whatever was sent.
     */
    public Caller caller(Optional<String> token) {
        if (processor.isEmpty()) {
            return Caller.CONNECTION;
        }
        if (token.isEmpty()) {
            return anonymous().orElseThrow(() -> InvalidTokenException.missing("this endpoint needs a token: send 'Authorization: Bearer <token>'"));
        }
        return verify(token.get());
    }

    /**
     * The caller of requests without a token: the anonymous role, its claims naming nothing but that role; empty
     * without one (or without token configuration, where every request reads as the connection's own role).
     */
    public Optional<Caller> anonymous() {
        return anonymous;
    }

    /** The caller a token names, or {@link InvalidTokenException} saying why not. */
    public Caller verify(String token) {
        if (processor.isEmpty()) {
            throw InvalidTokenException.invalid("Vista is not configured for tokens (set VISTA_JWT_SECRET or VISTA_JWKS_FILE)");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw InvalidTokenException.invalid("the token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.get().process(token, null);
        } catch (ParseException e) {
            throw InvalidTokenException.invalid("the token is not a JWT (header.payload.signature, base64url-encoded JSON)");
        } catch (ExpiredJWTException e) {
            throw InvalidTokenException.invalid("the token has expired");
        } catch (BadJOSEException e) {
            throw InvalidTokenException.invalid(describe(e));
        } catch (KeySourceException e) {
            throw InvalidTokenException.invalid("no key to verify the token with");
        } catch (JOSEException e) {
            throw InvalidTokenException.invalid("the token could not be verified");
        }
        var role = claims.getClaim(roleClaim);
        if (role == null) {
            return anonRole.map(anon -> Caller.as(anon, claims.toString())).orElseThrow(() ->
                    InvalidTokenException.invalid("the token has no '" + roleClaim + "' claim naming the role to read as"));
        }
        if (!(role instanceof String name) || !RoleName.isValid(name)) {
            throw InvalidTokenException.invalid("the token's '" + roleClaim + "' claim is not a role name: " + invalidRole());
        }
        return Caller.as(name, claims.toString());
    }

    /** Nimbus's reasons in words for the client; none of them repeats the token. */
    private String describe(BadJOSEException e) {
        var message = String.valueOf(e.getMessage());
        if (message.contains("before use time")) {
            return "the token is not valid yet (nbf is in the future)";
        }
        if (message.contains("aud")) {
            return "the token is not for this audience (aud)";
        }
        if (message.contains("Invalid signature")) {
            return "the token's signature does not verify";
        }
        if (message.contains("plain") || message.contains("Unsecured")) {
            return "unsigned tokens (alg: none) are refused";
        }
        if (message.contains("Another algorithm expected") || message.contains("Encrypted JWT")) {
            return "the token is signed with an algorithm or key Vista does not accept (it accepts " + accepted() + ")";
        }
        return "the token was refused: " + message;
    }

    private String accepted() {
        return algorithms.stream().map(JWSAlgorithm::getName).sorted().collect(Collectors.joining(", "));
    }

    private static String invalidRole() {
        return "1 to 63 letters, digits or _ $ - . @, not starting with pg_";
    }

    /** For the start-up log: what is accepted. */
    public String describe() {
        if (processor.isEmpty()) {
            return "no tokens: every request reads as the connection's own role";
        }
        return "tokens " + (tokensRequired() ? "required" : "optional (without one: role " + anonRole.get() + ")") + ", " + accepted()
                + ", role from claim '" + roleClaim + "'";
    }
}
