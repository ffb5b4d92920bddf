-- User statistics
-- Per user: total visits, first and last visit, distinct sections visited, and visits in the last 30 days.
-- vista:key user_id
SELECT u.id                                                                   AS user_id,
       u.username,
       count(v.id)                                                            AS total_visits,
       min(v.visit_time)                                                      AS first_visit,
       max(v.visit_time)                                                      AS last_visit,
       count(DISTINCT v.section)                                              AS distinct_sections,
       count(v.id) FILTER (WHERE v.visit_time >= now() - interval '30 days') AS visits_last_30_days
FROM users u
LEFT JOIN page_visits v ON v.user_id = u.id
GROUP BY u.id, u.username
