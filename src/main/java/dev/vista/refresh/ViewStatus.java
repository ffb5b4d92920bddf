package dev.vista.refresh;

import com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.OffsetDateTime;

/**
 * A materialized view or incremental aggregate as {@code GET /api/views} shows it: whether it holds data, whether
 * it can be refreshed concurrently, its schedule, and its last refresh (which may be running now).
 */
@JsonNaming(SnakeCaseStrategy.class)
public record ViewStatus(String name, String kind, boolean populated, boolean concurrentRefresh, String refreshEvery,
                         boolean realtime, OffsetDateTime lastSucceededAt, Long ageSeconds, RecordedRefresh lastRefresh) {
}
