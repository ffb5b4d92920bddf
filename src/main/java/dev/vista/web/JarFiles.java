package dev.vista.web;

import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves static files from a directory of Vista's jar (the pages' own files, the WebJars of uPlot and Swagger UI):
 * each read from the class path on its first request and answered from memory after, with a strong {@code ETag} of
 * its bytes. Their URLs name a version or a hash of the files, so browsers may keep them for a year.
 *
 * <p>Why not Javalin's static files: on Jetty 12.1 each of their handlers opens the jar as zip file systems of its own,
 * each an index of every one of the jar's ~18,000 entries (eight for Vista's two directories, about 5 MB each). That
 * was 41 of the 58 MB that lived in the server's heap after a full collection; with {@code -Xmx256m} G1 then found
 * the heap over its marking threshold after every young collection and marked it concurrently again and again under
 * load, a tenth of the server's CPU. This keeps the files that are asked for, nothing else (17 MB live).
 */
public final class JarFiles {

    /** The types of what the jar's directories hold; a file of any other type is not served. */
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("map", "application/json"),
            Map.entry("json", "application/json"),
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("md", "text/markdown; charset=utf-8"),
            Map.entry("png", "image/png"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"));
    /** A path segment of a file: no {@code ..}, no empty segment, nothing a class loader could read outside the directory. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    private static final String CACHE_CONTROL = "public, max-age=31536000, immutable";

    private record File(byte[] bytes, String type, String etag) {
    }

    private final String directory;
    private final ConcurrentHashMap<String, File> read = new ConcurrentHashMap<>();

    /** @param directory a directory of the class path, from its root: {@code /META-INF/resources/webjars} */
    public JarFiles(String directory) {
        this.directory = directory;
    }

    /** GET of a route whose {@code <path>} parameter names a file of the directory. */
    public void serve(Context ctx) {
        var path = ctx.pathParam("path");
        var file = read.get(path);
        if (file == null) {
            // only files that exist are kept: a miss is looked up again, so no request can grow the map beyond the jar
            file = load(path).orElseThrow(() -> new NotFoundResponse("no such file: " + ctx.path()));
            read.putIfAbsent(path, file);
        }
        ctx.header(Header.CACHE_CONTROL, CACHE_CONTROL);
        ctx.header(Header.ETAG, file.etag());
        if (ConditionalGet.matches(ctx.header(Header.IF_NONE_MATCH), file.etag())) {
            ConditionalGet.notModified(ctx);
            return;
        }
        ctx.contentType(file.type()).result(file.bytes());
    }

    private Optional<File> load(String path) {
        var segments = path.split("/", -1);
        for (var segment : segments) {
            if (!SEGMENT.matcher(segment).matches()) {
                return Optional.empty();
            }
        }
        var name = segments[segments.length - 1];
        var type = name.indexOf('.') < 0 ? null : TYPES.get(name.substring(name.lastIndexOf('.') + 1));
        if (type == null) {
            return Optional.empty();
        }
        try (var in = JarFiles.class.getResourceAsStream(directory + "/" + path)) {
            if (in == null) {
                return Optional.empty();
            }
            var bytes = in.readAllBytes();
            return Optional.of(new File(bytes, type, "\"" + ConditionalGet.digest(bytes) + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
