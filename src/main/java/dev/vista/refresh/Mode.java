package dev.vista.refresh;

// How a view was refreshed: REFRESH MATERIALIZED VIEW, the same CONCURRENTLY, or only the buckets new rows touched.
public enum Mode {
    plain, concurrent, incremental
}
