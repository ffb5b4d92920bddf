--liquibase formatted sql

--changeset vista:004-page-visits-visit-date-index
-- The day bucket of section_daily and its incremental twin: recomputing one day reads only that day's visits.
CREATE INDEX page_visits_visit_date_idx ON page_visits (((visit_time AT TIME ZONE 'UTC')::date));
--rollback DROP INDEX page_visits_visit_date_idx;
