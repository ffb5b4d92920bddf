--liquibase formatted sql

--changeset vista:003-refresh-history
CREATE TABLE refresh_history (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    view_name     text        NOT NULL,
    trigger       text        NOT NULL CHECK (trigger IN ('cli', 'http', 'schedule', 'startup', 'java')),
    mode          text        NOT NULL CHECK (mode IN ('plain', 'concurrent', 'incremental')),
    status        text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at   timestamptz,
    duration_ms   bigint,
    row_count     bigint,
    watermark     bigint,
    base_filenode bigint,
    error         text,
    backend_pid   integer,
    CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX refresh_history_view_name_started_at_idx ON refresh_history (view_name, started_at DESC);
-- The advisory lock keeps refreshes of one view apart; this keeps their record honest too.
CREATE UNIQUE INDEX refresh_history_one_running_idx ON refresh_history (view_name) WHERE status = 'running';
COMMENT ON TABLE refresh_history IS 'Every refresh of a materialized view or incremental aggregate: when, how long, how many rows, how it ended.';
COMMENT ON COLUMN refresh_history.watermark IS 'Highest id of the watermark table that the refresh is known to include (every lower id too).';
COMMENT ON COLUMN refresh_history.base_filenode IS 'pg_relation_filenode of the watermark table then: a TRUNCATE changes it, which voids the watermark.';
--rollback DROP TABLE refresh_history;
