package dev.vista.refresh;

// What started a refresh, as recorded in refresh_history.trigger.
public enum Trigger {
    cli, http, schedule, startup, java,
    /** Not by Vista: a refresh made in psql, by pg_cron or another tool, recorded once Vista noticed it (its mode unknown). */
    outside
}
