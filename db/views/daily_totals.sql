-- Daily totals
-- Per day (UTC): visits, active users and sections used, summed from visits_summary (a view built on a view).
-- vista:key visit_date
SELECT visit_date,
       sum(visits)::bigint     AS visits,
       count(DISTINCT user_id) AS active_users,
       count(DISTINCT section) AS sections
FROM visits_summary
GROUP BY visit_date
