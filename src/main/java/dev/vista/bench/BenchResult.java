package dev.vista.bench;

import java.util.List;

// What a run of the benchmark found: every line of its table, and the scenarios that failed (their lines are missing).
public record BenchResult(List<BenchReport.Line> lines, List<Failure> failures) {

    /** A scenario that threw instead of measuring; the run went on with the next one. */
    public record Failure(String scenario, String message) {
    }

    public boolean failed() {
        return !failures.isEmpty();
    }
}
