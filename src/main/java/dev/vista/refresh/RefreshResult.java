package dev.vista.refresh;

import com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.OffsetDateTime;

/**
 * One view refreshed: how, when, for how long, how many rows it holds now and the watermark it is known to
 * include. {@code touchedBuckets} is set by incremental refreshes (null when it rebuilt everything); {@code note}
 * says what was done differently from what was asked, e.g. a plain refresh where CONCURRENTLY was impossible.
 */
@JsonNaming(SnakeCaseStrategy.class)
public record RefreshResult(String view, Mode mode, Trigger trigger, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                            long durationMs, long rows, Long watermark, Integer touchedBuckets, String note) {
}
