-- Sections per day (incremental)
-- section_daily kept up to date bucket by bucket: a refresh recomputes only the days that visits added since the last one fall on.
-- vista:incremental
-- vista:unique-index visit_date, section
-- vista:refresh 1m
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
