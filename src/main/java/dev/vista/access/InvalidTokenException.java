package dev.vista.access;

/**
 * A request's credentials do not let it in (HTTP 401): the token is malformed, expired, not yet valid, signed with
 * another key or algorithm, too large, for another audience, or names a role that is not one a request may run as; or
 * there is no token where one is needed. The message says which for the client and never repeats the token.
 */
public final class InvalidTokenException extends RuntimeException {

    /** What went wrong, as RFC 6750 tells it apart: {@code invalid_token} (a token was sent) or none (no token was sent). */
    public enum Kind { MISSING, INVALID }

    private final Kind kind;

    public InvalidTokenException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public static InvalidTokenException invalid(String message) {
        return new InvalidTokenException(Kind.INVALID, message);
    }

    public static InvalidTokenException missing(String message) {
        return new InvalidTokenException(Kind.MISSING, message);
    }

    public Kind kind() {
        return kind;
    }
}
