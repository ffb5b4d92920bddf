package dev.vista.report;

/**
 * How many rows a query matches, ignoring its paging: {@code exact}, or PostgreSQL's planner estimate (from
 * {@code EXPLAIN}) where counting would cost more than the page itself.
 */
public record RowCount(long value, boolean exact) {
}
