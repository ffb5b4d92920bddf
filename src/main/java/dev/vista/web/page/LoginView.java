package dev.vista.web.page;

import java.util.Optional;

/**
 * {@code GET /login}: who the browser is signed in as, a form to sign in by pasting a token (which sends the browser on
 * to {@code next} afterwards), and where tokens come from; after a token was refused, the same page with the reason next
 * to the field. Without token configuration the page says that there is nothing to sign in to, and has no form.
 *
 * @param next  the local path to go on to once signed in; null for the catalogue
 * @param token the token field and, after a refusal, its message
 */
public record LoginView(Layout layout, Visitor visitor, String next, Token token) {

    /** The token field: a password input, never filled in again by the server. */
    public record Token(String error) implements FilterForm.Checked {

        @Override
        public String id() {
            return "token";
        }

        /** After a refusal the field has the focus, so that a screen reader reads its message at once. */
        public boolean focus() {
            return error != null;
        }
    }

    public static LoginView of(Assets assets, Visitor visitor, Optional<String> next) {
        return view(assets, visitor, next, null);
    }

    /** The token posted was refused for {@code reason} ("the token has expired"); empty: none was pasted. */
    public static LoginView refused(Assets assets, Visitor visitor, Optional<String> next, Optional<String> reason) {
        return view(assets, visitor, next, reason.map(r -> "This token was not accepted: " + r + ".").orElse("Paste a token to sign in."));
    }

    private static LoginView view(Assets assets, Visitor visitor, Optional<String> next, String error) {
        var layout = Layout.of(assets, visitor, "Sign in", false, new Layout.Crumb("Reports", Links.catalogue()), new Layout.Crumb("Sign in", null));
        return new LoginView(layout, visitor, next.filter(n -> !n.equals("/")).orElse(null), new Token(error));
    }
}
