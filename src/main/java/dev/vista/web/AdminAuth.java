package dev.vista.web;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Guards the admin endpoints: {@code Authorization: Bearer $VISTA_ADMIN_TOKEN}, or 401. Both tokens are hashed
 * before {@link MessageDigest#isEqual} compares them, so the comparison takes the same time whatever the token
 * sent, its length included.
 */
public final class AdminAuth {

    private final byte[] expected;

    public AdminAuth(String token) {
        this.expected = sha256(token);
    }

    public void require(Context ctx) {
        var header = ctx.header("Authorization");
        var token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
        if (token == null || !MessageDigest.isEqual(sha256(token), expected)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"vista\"");
            throw new ApiException(401, "unauthorized", token == null ? "this endpoint needs the admin token" : "the admin token is not valid",
                    null, "send 'Authorization: Bearer <VISTA_ADMIN_TOKEN>'");
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
