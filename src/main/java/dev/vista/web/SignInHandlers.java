package dev.vista.web;

import dev.vista.access.InvalidTokenException;
import dev.vista.web.page.Links;
import dev.vista.web.page.LoginView;
import dev.vista.web.page.Pages;
import dev.vista.web.page.Visitor;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.Optional;

/**
 * Signing in and out: {@code GET /login}, the sign-in page; {@code POST /login}, which checks the pasted token, keeps it
 * in the sign-in cookie ({@link Authentication}) and sends a browser on to the page it came for ({@code next}, only ever
 * a path on this site) or tells an API client who it now is; {@code POST /logout}. A browser whose token is refused gets
 * the sign-in page again, the reason next to the field (401); an API client keeps its JSON error. Both posts are refused
 * from another site's form (login CSRF).
 */
public final class SignInHandlers {

    private final Authentication authentication;
    private final Pages pages;

    public SignInHandlers(Authentication authentication, Pages pages) {
        this.authentication = authentication;
        this.pages = pages;
    }

    /** GET /login[?next=/reports/...]: who the browser is signed in as, the form, where tokens come from. */
    public void page(Context ctx) {
        var view = LoginView.of(pages.assets(), authentication.visitor(ctx), Links.local(ctx.queryParam("next")));
        PageHandlers.html(ctx, 200, pages.login(view));
    }

    /** POST /login with the form fields {@code token} and, from the sign-in page, {@code next}. */
    public void signIn(Context ctx) {
        Authentication.requireSameOrigin(ctx);
        var browser = PageHandlers.asksForHtml(ctx);
        var next = Links.local(ctx.formParam("next"));
        if (!authentication.tokensConfigured()) {
            if (browser) {
                PageHandlers.html(ctx, 400, pages.login(LoginView.of(pages.assets(), Visitor.NO_TOKENS, next)));
                return;
            }
            throw new ApiException(400, "tokens_not_configured", "Vista is not configured for tokens; there is nothing to sign in to",
                    null, "set VISTA_JWT_SECRET or VISTA_JWKS_FILE");
        }
        var token = Optional.ofNullable(ctx.formParam("token")).map(String::strip).filter(t -> !t.isEmpty());
        try {
            var caller = authentication.signIn(ctx, token.orElseThrow(() ->
                    InvalidTokenException.missing("POST /login needs the form field 'token'")));
            if (browser) {
                ctx.redirect(next.orElse(Links.catalogue()), HttpStatus.SEE_OTHER);
            } else {
                ctx.json(Map.of("signed_in", true, "role", caller.role().orElseThrow()));
            }
        } catch (InvalidTokenException e) {
            if (!browser) {
                throw e;
            }
            ctx.header(Errors.WWW_AUTHENTICATE, Errors.challenge(e));
            var reason = token.map(t -> e.getMessage());
            PageHandlers.html(ctx, 401, pages.login(LoginView.refused(pages.assets(), authentication.visitor(ctx), next, reason)));
        }
    }

    /** POST /logout: clears the cookie; a browser goes on to the sign-in page (303), an API client gets JSON. */
    public void signOut(Context ctx) {
        Authentication.requireSameOrigin(ctx);
        authentication.signOut(ctx);
        if (PageHandlers.asksForHtml(ctx)) {
            ctx.redirect("/login", HttpStatus.SEE_OTHER);
        } else {
            ctx.json(Map.of("signed_in", false));
        }
    }
}
