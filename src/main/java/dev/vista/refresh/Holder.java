package dev.vista.refresh;

import com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.OffsetDateTime;

/**
 * Who is refreshing a view right now: the PostgreSQL backend holding its advisory lock (from pg_locks and
 * pg_stat_activity) and, when Vista started it, the trigger and start of its running row in refresh_history.
 */
@JsonNaming(SnakeCaseStrategy.class)
public record Holder(String view, Integer pid, String applicationName, String clientAddr, Trigger trigger, OffsetDateTime startedAt) {

    String describe() {
        var who = applicationName == null || applicationName.isBlank() ? "a session" : "'" + applicationName + "'";
        var since = startedAt == null ? "" : " since " + startedAt;
        var by = trigger == null ? "" : " (" + trigger + ")";
        return who + (pid == null ? "" : " (pid " + pid + ")") + by + since;
    }
}
