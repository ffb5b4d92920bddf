package dev.vista.web.page;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * The files pages load, all from the jar, at URLs that change when the files do, so that browsers may keep them for a
 * year: Vista's own stylesheet and scripts (the chart's, and ages kept current) under {@code /assets/<hash of their bytes>/}, and uPlot from its WebJar
 * under {@code /webjars/uplot/<version>/}.
 */
public record Assets(String hostedPath, String css, String chartScript, String ageScript, String uplotScript, String uplotCss) {

    /** Where Vista's own files are in the jar. */
    public static final String DIRECTORY = "/assets";
    private static final List<String> FILES = List.of("vista.css", "chart.js", "age.js");

    public static Assets fromClasspath() {
        var hosted = DIRECTORY + "/" + hash();
        var uplot = "/webjars/uplot/" + webJarVersion("uplot") + "/dist/";
        return new Assets(hosted, hosted + "/vista.css", hosted + "/chart.js", hosted + "/age.js", uplot + "uPlot.iife.min.js", uplot + "uPlot.min.css");
    }

    private static String hash() {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            for (var file : FILES) {
                digest.update(read(DIRECTORY + "/" + file));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String webJarVersion(String artifact) {
        var properties = new Properties();
        try (var in = resource("/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    private static byte[] read(String path) {
        try (var in = resource(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) {
        var in = Assets.class.getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException(path + " is missing from the classpath: the pages cannot be served without it");
        }
        return in;
    }
}
