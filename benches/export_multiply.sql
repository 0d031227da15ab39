-- Multiplies the demo's improvement actions: COPIES more of each (benches/export.sh puts the
-- number in), each copy addressing the same escapes, so an export has that many real rows.
CREATE TEMP TABLE n(i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < COPIES)
INSERT INTO n SELECT i FROM c;
CREATE TEMP TABLE base AS SELECT * FROM improvement_actions;
INSERT INTO improvement_actions (id, review_id, review_escape_id, team_id, title, mechanism,
  component_id, target_layer, effort, due_date, status, external_key, created_at, updated_at,
  version, done_at, status_reason)
SELECT randomblob(16), review_id, review_escape_id, team_id, title || ' (copy ' || n.i || ')',
  mechanism, component_id, target_layer, effort, due_date, status, NULL, created_at,
  updated_at, 1, done_at, status_reason
FROM base, n;
INSERT INTO action_escapes (action_id, review_escape_id, created_at)
SELECT a.id, a.review_escape_id, a.created_at FROM improvement_actions a
WHERE NOT EXISTS (SELECT 1 FROM action_escapes e WHERE e.action_id = a.id);
