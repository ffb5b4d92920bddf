package dev.vista.web;

import dev.vista.access.Caller;
import dev.vista.access.InvalidTokenException;
import dev.vista.access.TokenVerifier;
import dev.vista.web.page.Visitor;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.Header;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;

/**
 * Who a request reads as, from its credentials: {@code Authorization: Bearer <token>} (API clients, an SSO proxy in
 * front), or for GET and HEAD only the sign-in cookie a browser got from {@code POST /login}. A request that changes
 * something never authenticates by the cookie alone, so another site cannot make a signed-in browser do it (CSRF);
 * the cookie is SameSite=Strict besides. {@link TokenVerifier} decides what a token is worth; {@link SignInHandlers}
 * sets and clears the cookie through this class.
 */
public final class Authentication {

    /** The sign-in cookie: HttpOnly (no script reads it), SameSite=Strict, Secure over HTTPS. */
    static final String COOKIE = "vista_token";

    private final TokenVerifier verifier;
    private final boolean trustProxy;

    public Authentication(TokenVerifier verifier, boolean trustProxy) {
        this.verifier = verifier;
        this.trustProxy = trustProxy;
    }

    /** The caller of this request, or {@link InvalidTokenException} (401). */
    public Caller caller(Context ctx) {
        if (!verifier.tokensConfigured()) {
            return Caller.CONNECTION;
        }
        // answers differ by credentials: a shared cache must not hand one caller's rows to another
        ctx.header(Header.VARY, "Authorization, Cookie");
        ctx.header(Header.CACHE_CONTROL, "private");
        return verifier.caller(bearer(ctx).or(() -> safeMethod(ctx) ? cookie(ctx) : Optional.empty()));
    }

    /** The bearer token of the Authorization header, if there is one; never the cookie. */
    static Optional<String> bearer(Context ctx) {
        var header = ctx.header(Header.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(header.substring(7).strip()).filter(token -> !token.isEmpty());
    }

    /** The role a bearer token names when it is a valid token (the admin endpoints: never the cookie); else empty. */
    Optional<String> bearerRole(String token) {
        if (!verifier.tokensConfigured()) {
            return Optional.empty();
        }
        try {
            return verifier.verify(token).role();
        } catch (InvalidTokenException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code caller} reads as any request without a token would: the connection's own role, or the anonymous
     * role with nothing but that role in its claims.
     */
    public boolean tokenless(Caller caller) {
        return caller.isConnection() || verifier.anonymous().filter(caller::equals).isPresent();
    }

    /** Whether Vista takes tokens at all ({@code VISTA_JWT_SECRET} or {@code VISTA_JWKS_FILE}). */
    public boolean tokensConfigured() {
        return verifier.tokensConfigured();
    }

    /**
     * Who the browser is, as a page shows it (its header, the sign-in page): the token of the Authorization header, or
     * else the cookie's, whatever the method (this decides no access). Never refuses: a refused token reads as not
     * signed in, saying why.
     */
    public Visitor visitor(Context ctx) {
        if (!verifier.tokensConfigured()) {
            return Visitor.NO_TOKENS;
        }
        ctx.header(Header.VARY, "Authorization, Cookie");
        var bearer = bearer(ctx);
        var token = bearer.or(() -> cookie(ctx));
        if (token.isEmpty()) {
            return Visitor.signedOut(verifier.anonRole());
        }
        try {
            return Visitor.signedIn(verifier.verify(token.get()), bearer.isEmpty(), verifier.anonRole(), Instant.now());
        } catch (InvalidTokenException e) {
            return Visitor.refused(e.getMessage(), bearer.isEmpty(), verifier.anonRole());
        }
    }

    /** Checks {@code token} and keeps it in the sign-in cookie; a token that does not verify is refused and sets nothing. */
    Caller signIn(Context ctx, String token) {
        var caller = verifier.verify(token);
        ctx.header(Header.SET_COOKIE, COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" + (secure(ctx) ? "; Secure" : ""));
        return caller;
    }

    /** Clears the sign-in cookie. */
    void signOut(Context ctx) {
        ctx.header(Header.SET_COOKIE, COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure(ctx) ? "; Secure" : ""));
    }

    /** Whether the browser's connection is HTTPS: the request itself, or the proxy's X-Forwarded-Proto when trusted. */
    boolean secure(Context ctx) {
        if ("https".equalsIgnoreCase(ctx.scheme())) {
            return true;
        }
        var forwarded = ctx.header("X-Forwarded-Proto");
        return trustProxy && forwarded != null && forwarded.split(",")[0].strip().equalsIgnoreCase("https");
    }

    /**
     * Signing in or out from another site's form is refused (login CSRF): a browser says where a POST comes from in
     * {@code Sec-Fetch-Site} or {@code Origin}; clients that send neither (curl) are not browsers and may go ahead.
     */
    static void requireSameOrigin(Context ctx) {
        var site = ctx.header("Sec-Fetch-Site");
        var origin = ctx.header(Header.ORIGIN);
        var crossSite = site != null ? !(site.equals("same-origin") || site.equals("none"))
                : origin != null && !origin.equals("null") && !sameHost(origin, ctx.header(Header.HOST));
        if (crossSite || "null".equals(origin)) {
            throw new ApiException(403, "cross_site_request", "signing in or out from another site is refused", null,
                    "sign in from Vista's own page, or send the token as 'Authorization: Bearer <token>'");
        }
    }

    private static boolean sameHost(String origin, String host) {
        try {
            var uri = URI.create(origin);
            var authority = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return host != null && authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean safeMethod(Context ctx) {
        return ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD;
    }

    private static Optional<String> cookie(Context ctx) {
        return Optional.ofNullable(ctx.cookie(COOKIE)).filter(token -> !token.isEmpty());
    }
}
