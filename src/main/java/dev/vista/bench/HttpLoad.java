package dev.vista.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A closed-loop HTTP load: {@code connections} clients each sending the next request when the last one answered.
 * With wrk on the PATH, wrk makes it (two threads, as light a client as there is); otherwise Java's own
 * HTTP client, which costs more CPU per request and so leaves the server less of this machine.
 */
record HttpLoad(double requestsPerSecond, double p50, double p99, long errors, String client) {

    /**
     * The header that makes Vista read a stored report's rows again rather than send the answer it kept since the
     * refresh (web/KeptAnswers): what every line that measures reading is sent with.
     */
    static final Map<String, String> READ_ANEW = Map.of("Cache-Control", "no-cache");

    /** {@code request} with {@link #READ_ANEW}, for a single request made with Java's HTTP client. */
    static HttpRequest.Builder readingAnew(HttpRequest.Builder request) {
        READ_ANEW.forEach(request::header);
        return request;
    }

    static HttpLoad run(URI uri, int connections, Duration duration) throws Exception {
        return run(uri, connections, duration, Map.of());
    }

    /** As {@link #run(URI, int, Duration)}, every request with {@code headers} (e.g. a token). */
    static HttpLoad run(URI uri, int connections, Duration duration, Map<String, String> headers) throws Exception {
        var wrk = wrk();
        return wrk.isPresent() ? runWrk(wrk.get(), uri, connections, duration, headers) : runJava(uri, connections, duration, headers);
    }

    /** The client {@link #run} uses: {@code wrk} or {@code java.net.http}. */
    static String clientName() {
        return wrk().isPresent() ? "wrk" : "java.net.http";
    }

    private static Optional<Path> wrk() {
        return Programs.find("wrk");
    }

    private static HttpLoad runWrk(Path wrk, URI uri, int connections, Duration duration, Map<String, String> headers) throws Exception {
        var command = new ArrayList<>(List.of(wrk.toString(), "-t" + Math.min(2, connections), "-c" + connections,
                "-d" + Math.max(1, duration.toSeconds()) + "s", "--latency"));
        headers.forEach((name, value) -> command.addAll(List.of("-H", name + ": " + value)));
        command.add(uri.toString());
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + output);
        }
        return parseWrk(output);
    }

    /** wrk's report: requests per second, the 50th and 99th percentile of its latency distribution, errors of every kind. */
    static HttpLoad parseWrk(String output) {
        var rate = find(output, "Requests/sec:\\s+([0-9.]+)");
        var errors = (long) find(output, "Non-2xx or 3xx responses:\\s+([0-9]+)")
                + Pattern.compile("(connect|read|write|timeout) ([0-9]+)").matcher(output).results()
                        .mapToLong(m -> Long.parseLong(m.group(2))).sum();
        return new HttpLoad(rate, wrkMillis(output, "50%"), wrkMillis(output, "99%"), errors, "wrk");
    }

    private static double find(String output, String regex) {
        var matcher = Pattern.compile(regex).matcher(output);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    /** A latency line of wrk's distribution, e.g. "99%    3.64ms", in milliseconds. */
    private static double wrkMillis(String output, String percentile) {
        var matcher = Pattern.compile("\\s" + percentile + "\\s+([0-9.]+)(us|ms|s)").matcher(output);
        if (!matcher.find()) {
            return Double.NaN;
        }
        var value = Double.parseDouble(matcher.group(1));
        return switch (matcher.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    private static HttpLoad runJava(URI uri, int connections, Duration duration, Map<String, String> headers) throws Exception {
        var latencies = Collections.synchronizedList(new ArrayList<Double>());
        var errors = new AtomicLong();
        var deadline = System.nanoTime() + duration.toNanos();
        var started = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(connections)) {
            for (int c = 0; c < connections; c++) {
                pool.submit(() -> {
                    var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    var builder = HttpRequest.newBuilder(uri).GET();
                    headers.forEach(builder::header);
                    var request = builder.build();
                    var mine = new ArrayList<Double>();
                    while (System.nanoTime() < deadline) {
                        var t = System.nanoTime();
                        try {
                            var response = client.send(request, HttpResponse.BodyHandlers.discarding());
                            if (response.statusCode() != 200 && response.statusCode() != 304) {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                        mine.add((System.nanoTime() - t) / 1e6);
                    }
                    latencies.addAll(mine);
                    return null;
                });
            }
        }
        var seconds = (System.nanoTime() - started) / 1e9;
        if (latencies.isEmpty()) {
            return new HttpLoad(0, Double.NaN, Double.NaN, errors.get(), "java.net.http");
        }
        var samples = new Timings.Samples("http", List.copyOf(latencies));
        return new HttpLoad(latencies.size() / seconds, samples.median(), samples.percentile(0.99), errors.get(), "java.net.http");
    }
}
