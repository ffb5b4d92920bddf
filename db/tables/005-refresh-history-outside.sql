--liquibase formatted sql

--changeset vista:005-refresh-history-outside
-- Refreshes made outside Vista (psql, pg_cron, another tool) are recorded too, once Vista notices them: every REFRESH
-- MATERIALIZED VIEW, CONCURRENTLY or not, writes a new version of the view's pg_class row, so its xmin names the
-- refresh its rows are from. A refresh's record keeps that xmin; a view whose pg_class xmin is another one was
-- refreshed by someone else since, and its stored answers (ETags, kept answers) are void.
ALTER TABLE refresh_history ADD COLUMN relation_xmin bigint;
ALTER TABLE refresh_history ALTER COLUMN mode DROP NOT NULL;
ALTER TABLE refresh_history DROP CONSTRAINT refresh_history_trigger_check;
ALTER TABLE refresh_history ADD CONSTRAINT refresh_history_trigger_check
    CHECK (trigger IN ('cli', 'http', 'schedule', 'startup', 'java', 'outside'));
-- How a refresh made elsewhere ran is not known; every other refresh says.
ALTER TABLE refresh_history ADD CONSTRAINT refresh_history_mode_check_known CHECK ((mode IS NULL) = (trigger = 'outside'));
-- Several Vistas on one database notice the same refresh: it is recorded once.
CREATE UNIQUE INDEX refresh_history_outside_once_idx ON refresh_history (view_name, relation_xmin) WHERE trigger = 'outside';
-- The last success of each materialized view is taken to be what it holds now, as Vista took it before this column.
UPDATE refresh_history h SET relation_xmin = c.xmin::text::bigint
FROM pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'm' AND c.relname = h.view_name
  AND h.id = (SELECT l.id FROM refresh_history l
              WHERE l.view_name = h.view_name AND l.status = 'succeeded'
              ORDER BY l.started_at DESC LIMIT 1);
COMMENT ON COLUMN refresh_history.relation_xmin IS 'xmin of the materialized view''s pg_class row after the refresh: every REFRESH writes that row anew, so another value now means a refresh made since.';
--rollback DROP INDEX refresh_history_outside_once_idx;
--rollback ALTER TABLE refresh_history DROP CONSTRAINT refresh_history_mode_check_known;
--rollback ALTER TABLE refresh_history DROP CONSTRAINT refresh_history_trigger_check;
--rollback DELETE FROM refresh_history WHERE trigger = 'outside';
--rollback ALTER TABLE refresh_history ADD CONSTRAINT refresh_history_trigger_check CHECK (trigger IN ('cli', 'http', 'schedule', 'startup', 'java'));
--rollback ALTER TABLE refresh_history ALTER COLUMN mode SET NOT NULL;
--rollback ALTER TABLE refresh_history DROP COLUMN relation_xmin;
