-- Sections per day
-- Per day (UTC) and section: visits, distinct users, and the median and 95th percentile visit duration.
-- vista:materialized
-- vista:unique-index visit_date, section
-- vista:refresh 15m
-- vista:watermark page_visits.id
-- vista:bucket visit_date = (visit_time AT TIME ZONE 'UTC')::date
SELECT (visit_time AT TIME ZONE 'UTC')::date                                       AS visit_date,
       section,
       count(*)                                                      AS visits,
       count(DISTINCT user_id)                                       AS distinct_users,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)::numeric, 1)  AS p50_duration_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)::numeric, 1) AS p95_duration_ms
FROM page_visits
GROUP BY visit_date, section
