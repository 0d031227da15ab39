-- The GROUP BY queries a dashboard needs, typed straight against the defects table (the
-- PostgreSQL spelling of dashboard_baseline.sqlite.sql): the baseline the roll-up is
-- measured against in benches/dashboard.sh. TEAM_FILTER narrows to one team.
SELECT discovery_stage, severity, confirmed, known_issue_accepted, test_environment, cosmetic, data_migration, reopened_count > 0, count(*)
  FROM defects WHERE detected_at >= '2025-01-01' AND TEAM_FILTER GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
SELECT release_id, discovery_stage, count(*) FROM defects
  WHERE detected_at >= '2025-01-01' AND TEAM_FILTER GROUP BY 1, 2;
SELECT expected_catch_stage, discovery_stage, count(*) FROM defects
  WHERE detected_at >= '2025-01-01' AND TEAM_FILTER GROUP BY 1, 2;
SELECT to_char(d.detected_at AT TIME ZONE 'UTC', 'YYYY-"Q"Q'), e.primary_mechanism, count(*)
  FROM defects d JOIN review_escapes e ON e.defect_id = d.id JOIN reviews r ON r.id = e.review_id
  WHERE d.detected_at >= '2025-01-01' AND r.state IN ('classified', 'closed') AND TEAM_FILTER_D GROUP BY 1, 2;
SELECT to_char(detected_at AT TIME ZONE 'UTC', 'YYYY-"Q"Q'),
       avg(extract(epoch FROM detected_at - introduced_at)), avg(extract(epoch FROM resolved_at - detected_at)), count(resolved_at)
  FROM defects WHERE detected_at >= '2025-01-01' AND TEAM_FILTER GROUP BY 1;
SELECT component_id, severity, count(*) FROM defects
  WHERE detected_at >= '2025-01-01' AND discovery_stage IN ('staging', 'uat', 'beta', 'production') AND TEAM_FILTER GROUP BY 1, 2;
