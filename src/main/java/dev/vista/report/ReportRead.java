package dev.vista.report;

import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * A report query ready to run ({@link Reports#prepare}): the select, and for rows read from stored data the moment
 * they are as of (their last refresh, or now for a real-time read); empty for rows computed live. {@code stored}:
 * the rows are a stored relation's as of its last refresh, so they stay the same until the next one.
 */
public record ReportRead(ReportSelect select, Optional<OffsetDateTime> asOf, boolean stored) {

    /** Stored rows as of a known refresh: what a page adds up over them is kept until the next one ({@link StoredAggregates}). */
    public boolean keepsAggregates() {
        return stored && asOf.isPresent();
    }
}
