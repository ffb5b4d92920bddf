package dev.vista.web;

import io.javalin.http.Context;
import io.javalin.http.Header;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * GET /api/docs: Swagger UI over /api/openapi.json, from its WebJar in Vista's jar (under /webjars, nothing from a CDN).
 * The page is started by a script file of ours, /api/docs/init.js, not an inline script, so its Content-Security-Policy
 * allows scripts from this origin only. Styles may be inline: Swagger UI sets some as it renders. The page names Swagger
 * UI's version in its WebJar paths; the build writes it in (pom.xml filters {@code src/main/filtered}).
 */
public final class ApiDocs {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final String page = resource("api-docs.html");
    private final String script = resource("api-docs.js");

    /** GET /api/docs */
    public void page(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.html(page);
    }

    /** GET /api/docs/init.js */
    public void script(Context ctx) {
        ctx.header(Header.CACHE_CONTROL, "no-cache");
        ctx.contentType("text/javascript; charset=utf-8").result(script);
    }

    private static String resource(String name) {
        try (var in = ApiDocs.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("dev/vista/web/" + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
