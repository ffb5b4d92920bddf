package dev.vista.web.page;

import dev.vista.access.Caller;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Who the browser reading a page is, as the header and the sign-in page say it. Without token configuration nobody
 * signs in, and neither says anything of it. Else the browser is signed in as a role until its token expires (by the
 * sign-in cookie, or by an {@code Authorization} header that a proxy in front adds), or it is not, and reads as the
 * anonymous role or not at all, perhaps because the token it holds was refused.
 *
 * @param tokens    whether Vista takes tokens at all
 * @param role      the role the token names; null when not signed in
 * @param expires   when that token expires; null for one without an expiry
 * @param cookie    the token, accepted or refused, is the sign-in cookie's, which signing out clears (an Authorization
 *                  header it cannot)
 * @param anonymous the role pages read as without a token; null when they need one
 * @param refused   why the token the browser holds is not accepted, as a sentence; null when none was refused
 * @param signIn    the sign-in page, coming back here afterwards; null on the sign-in page itself
 */
public record Visitor(boolean tokens, String role, Expiry expires, boolean cookie, String anonymous, String refused, String signIn) {

    /** A token's expiry: {@code datetime} for {@code <time>}, {@code at} "2026-01-12 11:00 UTC", {@code left} "in 59 min". */
    public record Expiry(String datetime, String at, String left) {
    }

    /** Vista takes no tokens: every request reads as its own connection. */
    public static final Visitor NO_TOKENS = new Visitor(false, null, null, false, null, null, null);

    /** Signed in as the role of {@code caller}, by the cookie or else by an Authorization header. */
    public static Visitor signedIn(Caller caller, boolean cookie, Optional<String> anonymous, Instant now) {
        var expires = caller.expires().map(at -> new Expiry(at.toString(), Formats.minute(at), at.isAfter(now)
                ? "in " + Formats.span(Duration.between(now, at)) : "expired " + Formats.ago(Duration.between(at, now)))).orElse(null);
        return new Visitor(true, caller.role().orElseThrow(), expires, cookie, anonymous.orElse(null), null, null);
    }

    /** Not signed in. */
    public static Visitor signedOut(Optional<String> anonymous) {
        return new Visitor(true, null, null, false, anonymous.orElse(null), null, null);
    }

    /** Not signed in: the token sent was refused, for {@code reason} ("the token has expired"); {@code cookie}: it was the cookie's. */
    public static Visitor refused(String reason, boolean cookie, Optional<String> anonymous) {
        return new Visitor(true, null, null, cookie, anonymous.orElse(null), ErrorView.sentence(reason), null);
    }

    /** The same visitor on a page that the sign-in page should send the browser back to: {@code next}, a local path. */
    public Visitor comingBackTo(String next) {
        return new Visitor(tokens, role, expires, cookie, anonymous, refused, tokens ? Links.login(next) : null);
    }

    public boolean signedIn() {
        return role != null;
    }
}
