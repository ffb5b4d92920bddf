package dev.vista.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the variants of one comparison interleaved (A B C A B C ...) after a warm-up, so that a noisy
 * machine slows them alike, and keeps every duration for medians and ranges.
 */
final class Timings {

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    /** The durations of one variant, in milliseconds (or any other measure of it: medians and ranges read alike). */
    record Samples(String variant, List<Double> millis) {
        double median() {
            var sorted = millis.stream().sorted().toList();
            var n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        /** The nearest-rank percentile, {@code q} in (0, 1]: 0.99 for the p99. */
        double percentile(double q) {
            var sorted = millis.stream().sorted().toList();
            return sorted.isEmpty() ? Double.NaN : sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * q) - 1)));
        }

        double min() {
            return millis.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return millis.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private Timings() {
    }

    /**
     * The median of the rounds' own ratios, round i's {@code numerators} over round i's {@code denominators}: what
     * moves the whole machine between rounds moves both of a round alike and cancels out, which a ratio of medians
     * does not do.
     */
    static double medianRatio(List<Double> numerators, List<Double> denominators) {
        var ratios = new ArrayList<Double>();
        for (int i = 0; i < numerators.size(); i++) {
            ratios.add(numerators.get(i) / denominators.get(i));
        }
        return new Samples("ratio", ratios).median();
    }

    /** How long {@code work} took, in milliseconds. */
    static double time(Work work) throws Exception {
        var started = System.nanoTime();
        work.run();
        return (System.nanoTime() - started) / 1e6;
    }

    static Map<String, Samples> interleaved(int warmups, int iterations, Map<String, Work> variants) throws Exception {
        return rounds(warmups, iterations, variants, false);
    }

    /**
     * As {@link #interleaved}, every other round in the reverse order (A B, B A, A B ...): for a pair whose rounds are
     * compared one by one ({@link #medianRatio}), neither always runs right after the other, so what one leaves behind
     * (a warm page cache, a collector catching up, autovacuum woken) falls on each alike.
     */
    static Map<String, Samples> alternating(int warmups, int rounds, Map<String, Work> variants) throws Exception {
        return rounds(warmups, rounds, variants, true);
    }

    private static Map<String, Samples> rounds(int warmups, int rounds, Map<String, Work> variants, boolean alternate) throws Exception {
        for (int i = 0; i < warmups; i++) {
            for (var work : variants.values()) {
                work.run();
            }
        }
        var samples = new LinkedHashMap<String, List<Double>>();
        variants.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        var order = new ArrayList<>(variants.entrySet());
        for (int i = 0; i < rounds; i++) {
            for (var variant : order) {
                samples.get(variant.getKey()).add(time(variant.getValue()));
            }
            if (alternate) {
                Collections.reverse(order);
            }
        }
        var result = new LinkedHashMap<String, Samples>();
        samples.forEach((k, v) -> result.put(k, new Samples(k, List.copyOf(v))));
        return result;
    }
}
