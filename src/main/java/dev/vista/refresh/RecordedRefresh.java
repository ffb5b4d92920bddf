package dev.vista.refresh;

import com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.vista.generated.tables.records.RefreshHistoryRecord;
import java.time.OffsetDateTime;

/** One refresh as refresh_history holds it; {@code status} is running, succeeded or failed. */
@JsonNaming(SnakeCaseStrategy.class)
public record RecordedRefresh(long id, String view, Trigger trigger, Mode mode, String status, OffsetDateTime startedAt,
                              OffsetDateTime finishedAt, Long durationMs, Long rows, Long watermark, Long baseFilenode,
                              String error, Integer backendPid) {

    static RecordedRefresh of(RefreshHistoryRecord r) {
        return new RecordedRefresh(r.getId(), r.getViewName(), Trigger.valueOf(r.getTrigger()), Mode.valueOf(r.getMode()), r.getStatus(),
                r.getStartedAt(), r.getFinishedAt(), r.getDurationMs(), r.getRowCount(), r.getWatermark(), r.getBaseFilenode(),
                r.getError(), r.getBackendPid());
    }

    public boolean succeeded() {
        return "succeeded".equals(status);
    }
}
