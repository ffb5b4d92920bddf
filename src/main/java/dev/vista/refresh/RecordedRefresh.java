package dev.vista.refresh;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.vista.generated.tables.records.RefreshHistoryRecord;
import java.time.OffsetDateTime;

/**
 * One refresh as refresh_history holds it; {@code status} is running, succeeded or failed. {@code mode} is null for a
 * refresh made {@link Trigger#outside} Vista, whose {@code startedAt} is then the end of the refresh before it (it ran
 * no earlier) and {@code finishedAt} its commit when PostgreSQL tracks commit timestamps, else when Vista noticed it.
 * {@code relationXmin} names the version of a materialized view's rows it left ({@link Freshness}).
 */
@JsonNaming(SnakeCaseStrategy.class)
public record RecordedRefresh(long id, String view, Trigger trigger, Mode mode, String status, OffsetDateTime startedAt,
                              OffsetDateTime finishedAt, Long durationMs, Long rows, Long watermark, Long baseFilenode,
                              String error, Integer backendPid, @JsonIgnore Long relationXmin) {

    static RecordedRefresh of(RefreshHistoryRecord r) {
        return new RecordedRefresh(r.getId(), r.getViewName(), Trigger.valueOf(r.getTrigger()), r.getMode() == null ? null : Mode.valueOf(r.getMode()), r.getStatus(),
                r.getStartedAt(), r.getFinishedAt(), r.getDurationMs(), r.getRowCount(), r.getWatermark(), r.getBaseFilenode(),
                r.getError(), r.getBackendPid(), r.getRelationXmin());
    }

    public boolean succeeded() {
        return "succeeded".equals(status);
    }
}
