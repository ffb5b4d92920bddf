-- Visit log
-- One row per visit with the visitor's username and email: the large report analysts export.
-- vista:key visit_id
-- vista:security-invoker
SELECT v.id AS visit_id,
       v.visit_time,
       v.section,
       v.duration_ms,
       v.user_id,
       u.username,
       u.email
FROM page_visits v
JOIN users u ON u.id = v.user_id
