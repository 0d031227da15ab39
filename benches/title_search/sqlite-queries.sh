# The defect list's SQL for `q=$W` on SQLite, as sea-query writes it, values inlined.
# main_*: before (LIKE scan: two counts, the page). idx_*: after (one count, the page).
# Sourced by bench-queries.sh with W set.
COLS='"defects"."id", "defects"."team_id", "defects"."component_id", "defects"."release_id", "defects"."title", "defects"."description", "defects"."severity", "defects"."defect_type", "defects"."origin", "defects"."discovery_stage", "defects"."expected_catch_stage", "defects"."detected_by", "defects"."introduced_at", "defects"."detected_at", "defects"."resolved_at", "defects"."reopened_count", "defects"."confirmed", "defects"."known_issue_accepted", "defects"."cosmetic", "defects"."test_environment", "defects"."data_migration", "defects"."external_key", "defects"."incident_link", "defects"."created_at", "defects"."updated_at", "defects"."version"'
ESC="'staging', 'uat', 'beta', 'production'"
LIKE="LIKE '%$W%' ESCAPE '\\'"
main_total="SELECT COUNT(*) FROM \"defects\" WHERE LOWER(\"title\") $LIKE"
main_escaped="SELECT COUNT(*) FROM \"defects\" WHERE LOWER(\"title\") $LIKE AND \"defects\".\"discovery_stage\" IN ($ESC)"
main_page_many="SELECT $COLS FROM \"defects\" WHERE LOWER(\"title\") $LIKE ORDER BY \"defects\".\"detected_at\" DESC, \"defects\".\"id\" DESC LIMIT 50 OFFSET 0"
main_page_few="SELECT $COLS FROM \"defects\" WHERE LOWER(\"title\") $LIKE ORDER BY COALESCE(\"defects\".\"detected_at\", \"defects\".\"detected_at\") DESC, \"defects\".\"id\" DESC LIMIT 50 OFFSET 0"
SUMS="SELECT COUNT(*), COALESCE(SUM((CASE WHEN (\"defects\".\"discovery_stage\" IN ($ESC)) THEN 1 ELSE 0 END)), 0)"
if [ ${#W} -ge 3 ]; then
  idx_counts="$SUMS FROM \"defects_fts\" CROSS JOIN \"defects\" WHERE \"defects\".\"rowid\" = \"defects_fts\".\"rowid\" AND \"defects_fts\" MATCH '\"$W\"'"
  idx_page_many="SELECT $COLS FROM \"defects\" WHERE +\"defects\".\"rowid\" IN (SELECT \"rowid\" FROM \"defects_fts\" WHERE \"defects_fts\" MATCH '\"$W\"') ORDER BY \"defects\".\"detected_at\" DESC, \"defects\".\"id\" DESC LIMIT 50 OFFSET 0"
  idx_page_few="SELECT $COLS FROM \"defects_fts\" CROSS JOIN \"defects\" WHERE \"defects\".\"rowid\" = \"defects_fts\".\"rowid\" AND \"defects_fts\" MATCH '\"$W\"' ORDER BY \"defects\".\"detected_at\" DESC, \"defects\".\"id\" DESC LIMIT 50 OFFSET 0"
else # one or two characters: no trigram, LIKE as before but one count
  idx_counts="$SUMS FROM \"defects\" WHERE LOWER(\"defects\".\"title\") $LIKE"
  idx_page_many="SELECT $COLS FROM \"defects\" WHERE (CASE WHEN (LOWER(\"defects\".\"title\") $LIKE) THEN TRUE ELSE FALSE END) ORDER BY \"defects\".\"detected_at\" DESC, \"defects\".\"id\" DESC LIMIT 50 OFFSET 0"
  idx_page_few="SELECT $COLS FROM \"defects\" WHERE LOWER(\"defects\".\"title\") $LIKE ORDER BY COALESCE(\"defects\".\"detected_at\", \"defects\".\"detected_at\") DESC, \"defects\".\"id\" DESC LIMIT 50 OFFSET 0"
fi
