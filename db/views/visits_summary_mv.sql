-- Visits per user, section and day (materialized)
-- visits_summary stored and indexed: answers in a fraction of the time, as fresh as its last refresh.
-- vista:materialized
-- vista:unique-index user_id, section, visit_date
-- vista:index visit_date
-- vista:refresh 5m
-- vista:watermark page_visits.id
-- vista:bucket visit_date = (visit_time AT TIME ZONE 'UTC')::date
SELECT * FROM visits_summary
