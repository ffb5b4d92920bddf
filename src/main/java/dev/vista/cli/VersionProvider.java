package dev.vista.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.IVersionProvider;

// vista --version: the version the build wrote into version.txt (pom.xml filters src/main/filtered), and the JVM it runs on.
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"vista " + version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch")};
    }

    static String version() {
        try (var in = VersionProvider.class.getResourceAsStream("version.txt")) {
            return in == null ? "(unknown version)" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
