-- Reporting views over the publications: Grafana reads the published, audited lattice
-- (case_publication_cell, graphql/analytics/publications) and nothing else. The views of
-- 20261125140100 suppressed the rollups on their own, one table at a time, and could be combined
-- with the API's releases; these show exactly what the API publishes, frozen week by week, so
-- the two channels are one. Same names as before:
--   weekly_cases_national    India × ICD-10 category
--   weekly_cases_by_state    state × category
--   weekly_cases_by_district district × category
--   weekly_cases_by_age_sex  India × chapter (icd10_chapter; NULL: all diagnoses) × 20-year age
--                            band × sex: the API publishes age and sex by chapter only
-- A suppressed cell is NULL; a published week's cell without a row is zero. Weeks are the
-- deployment's one week system (`week_label` is "2024-W05" for ISO, "2024-05" for MMWR;
-- iso_year / iso_week are the epidemiological year and week of that system).
--
-- Prisma models none of this (views, grants): raw SQL. The role doctel_reporting keeps USAGE on
-- schema reporting and SELECT on these four views only; the views run with their owner's rights
-- (not security_invoker), so the role needs no right on the publication tables themselves (they
-- are in schema "api", where doctel_reporting has not even USAGE).

DROP VIEW "reporting"."weekly_cases_by_district";
DROP VIEW "reporting"."weekly_cases_by_state";
DROP VIEW "reporting"."weekly_cases_national";
DROP VIEW "reporting"."weekly_cases_by_age_sex";

CREATE VIEW "reporting"."published_week_cell" WITH (security_barrier = true) AS
SELECT c.first_day AS week_start,
       substring(p.label FROM 1 FOR 4)::integer AS iso_year,
       right(p.label, 2)::integer AS iso_week,
       p.label AS week_label,
       c.region, c.diagnosis, c.age, c.sex, c.count
  FROM "api"."case_publication_cell" c
  JOIN "api"."case_publication" p ON p.id = c.publication_id
 WHERE c.level = 'WEEK';
REVOKE ALL ON "reporting"."published_week_cell" FROM PUBLIC;

CREATE VIEW "reporting"."weekly_cases_national" WITH (security_barrier = true) AS
SELECT w.week_start, w.iso_year, w.iso_week, w.week_label,
       substring(w.diagnosis FROM 3) AS icd10_category,
       w.count AS cases
  FROM "reporting"."published_week_cell" w
 WHERE w.region = '*' AND w.diagnosis LIKE 'C:%' AND w.age = '*' AND w.sex = '*';

CREATE VIEW "reporting"."weekly_cases_by_state" WITH (security_barrier = true) AS
SELECT w.week_start, w.iso_year, w.iso_week, w.week_label,
       substring(w.diagnosis FROM 3) AS icd10_category,
       substring(w.region FROM 3)::smallint AS state_code,
       s.name AS state_name,
       w.count AS cases
  FROM "reporting"."published_week_cell" w
  LEFT JOIN "reporting"."state_ref" s ON s.code = substring(w.region FROM 3)::smallint
 WHERE w.region LIKE 'S:%' AND w.diagnosis LIKE 'C:%' AND w.age = '*' AND w.sex = '*';

CREATE VIEW "reporting"."weekly_cases_by_district" WITH (security_barrier = true) AS
SELECT w.week_start, w.iso_year, w.iso_week, w.week_label,
       substring(w.diagnosis FROM 3) AS icd10_category,
       d.state_code,
       s.name AS state_name,
       substring(w.region FROM 3)::smallint AS district_code,
       d.name AS district_name,
       w.count AS cases
  FROM "reporting"."published_week_cell" w
  LEFT JOIN "reporting"."district_ref" d ON d.code = substring(w.region FROM 3)::smallint
  LEFT JOIN "reporting"."state_ref" s ON s.code = d.state_code
 WHERE w.region LIKE 'D:%' AND w.diagnosis LIKE 'C:%';

CREATE VIEW "reporting"."weekly_cases_by_age_sex" WITH (security_barrier = true) AS
SELECT w.week_start, w.iso_year, w.iso_week, w.week_label,
       CASE WHEN w.diagnosis = '*' THEN NULL ELSE substring(w.diagnosis FROM 4)::smallint END AS icd10_chapter,
       w.age AS age_band,
       substring(w.age FROM '^[0-9]+')::integer AS age_from,
       w.sex,
       w.count AS cases
  FROM "reporting"."published_week_cell" w
 WHERE w.region = '*' AND (w.diagnosis = '*' OR w.diagnosis LIKE 'CH:%') AND w.age <> '*' AND w.sex <> '*';

GRANT SELECT ON "reporting"."weekly_cases_national", "reporting"."weekly_cases_by_state",
                "reporting"."weekly_cases_by_district", "reporting"."weekly_cases_by_age_sex"
   TO doctel_reporting;
