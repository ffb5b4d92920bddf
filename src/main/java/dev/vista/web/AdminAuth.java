package dev.vista.web;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Guards the admin endpoints: {@code Authorization: Bearer $VISTA_ADMIN_TOKEN}, or a token whose role is one of
 * {@code VISTA_ADMIN_ROLES}; a valid token of another role is a 403, anything else a 401. Only the header counts, never
 * the sign-in cookie: admin requests change things (CSRF). Both admin tokens are hashed before
 * {@link MessageDigest#isEqual} compares them, so the comparison takes the same time whatever the token sent, its
 * length included.
 */
public final class AdminAuth {

    private final byte[] expected;
    private final List<String> adminRoles;
    private final Authentication authentication;

    public AdminAuth(String token, List<String> adminRoles, Authentication authentication) {
        this.expected = sha256(token);
        this.adminRoles = List.copyOf(adminRoles);
        this.authentication = authentication;
    }

    public void require(Context ctx) {
        var token = Authentication.bearer(ctx).orElse(null);
        if (token != null && MessageDigest.isEqual(sha256(token), expected)) {
            return;
        }
        var role = token == null ? Optional.<String>empty() : authentication.bearerRole(token);
        if (role.isPresent()) {
            if (adminRoles.contains(role.get())) {
                return;
            }
            throw new ApiException(403, "forbidden", "role " + role.get() + " may not use the admin endpoints", null,
                    "admin endpoints take the admin token, or a token whose role is one of VISTA_ADMIN_ROLES");
        }
        ctx.header("WWW-Authenticate", "Bearer realm=\"vista\"");
        throw new ApiException(401, "unauthorized", token == null ? "this endpoint needs the admin token" : "the admin token is not valid",
                null, "send 'Authorization: Bearer <VISTA_ADMIN_TOKEN>'" + (adminRoles.isEmpty() ? "" : " or a token whose role is one of VISTA_ADMIN_ROLES"));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
