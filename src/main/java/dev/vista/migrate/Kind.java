package dev.vista.migrate;

/**
 * What a report's relation is, the same word everywhere: in a view file, in {@code vista.managed_views}, in the
 * report catalogue and in {@code GET /api/views}. {@link #label()} is how the HTTP API and pages write it.
 */
public enum Kind {
    /** A plain view: evaluated on every read. */
    VIEW("view"),
    /** A materialized view: its rows are stored, indexed, and as old as its last refresh. */
    MATERIALIZED_VIEW("materialized_view"),
    /**
     * An incremental aggregate: a table {@code vista.<name>} filled from the query and kept up to date bucket by
     * bucket, read through a plain view {@code <name>} in front of it.
     */
    INCREMENTAL("incremental");

    private final String label;

    Kind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether its rows are stored and refreshed, so that they have an age. */
    public boolean stored() {
        return this != VIEW;
    }

    /** The keyword of {@code CREATE ... AS}: an incremental aggregate is a plain view in front of its table. */
    String sql() {
        return this == MATERIALIZED_VIEW ? "MATERIALIZED VIEW" : "VIEW";
    }
}
