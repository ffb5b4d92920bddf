package dev.vista.bench;

// One part of the benchmark: measures some of Vista's claims, each beside its reference, into the context's report.
interface Scenario {

    /** How progress and failures name it, e.g. {@code refresh}. */
    String name();

    void run(BenchContext context) throws Exception;
}
