package dev.vista.report;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * What an answer says about where its rows come from, as the server that read them sees it: the moment stored rows
 * are as of (their last refresh that this server holds, or now for a real-time read; empty for rows computed live),
 * and, for rows read on a hot standby, how far behind the primary it was ({@code X-Replica-Lag}).
 */
public record Provenance(Optional<OffsetDateTime> asOf, Optional<Duration> replicaLag) {
}
