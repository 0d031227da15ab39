-- The GROUP BY queries a dashboard needs, typed straight against the defects table: the
-- baseline the roll-up is measured against (benches/dashboard.sh). :team narrows to one
-- team when the script substitutes it; the range is the dashboard's default eight quarters.
-- Headline rates: stage × severity × scope facts.
SELECT discovery_stage, severity, confirmed, known_issue_accepted, test_environment, cosmetic, data_migration, reopened_count > 0, count(*)
  FROM defects WHERE detected_at >= '2025-01-01' AND TEAM_FILTER GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
-- Escape rate per release.
SELECT release_id, discovery_stage, count(*) FROM defects
  WHERE detected_at >= '2025-01-01' AND TEAM_FILTER GROUP BY 1, 2;
-- Layer matrix.
SELECT expected_catch_stage, discovery_stage, count(*) FROM defects
  WHERE detected_at >= '2025-01-01' AND TEAM_FILTER GROUP BY 1, 2;
-- Mechanisms per quarter.
SELECT substr(d.detected_at, 1, 4) || ((CAST(substr(d.detected_at, 6, 2) AS INTEGER) + 2) / 3), e.primary_mechanism, count(*)
  FROM defects d JOIN review_escapes e ON e.defect_id = d.id JOIN reviews r ON r.id = e.review_id
  WHERE d.detected_at >= '2025-01-01' AND r.state IN ('classified', 'closed') AND TEAM_FILTER_D GROUP BY 1, 2;
-- Time to detect and resolve per quarter.
SELECT substr(detected_at, 1, 4) || ((CAST(substr(detected_at, 6, 2) AS INTEGER) + 2) / 3),
       avg(julianday(detected_at) - julianday(introduced_at)), avg(julianday(resolved_at) - julianday(detected_at)), count(resolved_at)
  FROM defects WHERE detected_at >= '2025-01-01' AND TEAM_FILTER GROUP BY 1;
-- Components by escapes and severity.
SELECT component_id, severity, count(*) FROM defects
  WHERE detected_at >= '2025-01-01' AND discovery_stage IN ('staging', 'uat', 'beta', 'production') AND TEAM_FILTER GROUP BY 1, 2;
