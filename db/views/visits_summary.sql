-- Visits per user, section and day
-- How many times each user opened each section, day by day (days in UTC): the talk's report.
-- vista:key user_id, section, visit_date
SELECT user_id,
       section,
       (visit_time AT TIME ZONE 'UTC')::date AS visit_date,
       count(*) AS visits
FROM page_visits
GROUP BY user_id, section, visit_date
