package dev.vista.refresh;

// What started a refresh, as recorded in refresh_history.trigger.
public enum Trigger {
    cli, http, schedule, startup, java
}
