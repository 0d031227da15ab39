#!/bin/bash
# bench-queries.sh WORD...: the list's queries for each search word, before and after.
# SQLite through sqlq (the bundled SQLite, CPU and wall per run); PostgreSQL server-side.
# Databases: SQLITE_MAIN / PG_MAIN loaded by main's binary, SQLITE_INDEX / PG_INDEX by this
# branch's (same seed, so the same titles and stages).
HERE=$(dirname "$0"); N=${N:-9}; SQLQ=${SQLQ:-$HERE/sqlq}
for W in "$@"; do
  . "$HERE/sqlite-queries.sh"
  echo "### SQLite q=$W"
  for q in main_total main_escaped main_page_many main_page_few; do printf "%-15s main  " $q; "$SQLQ" "$SQLITE_MAIN" "${!q}" "$N"; done
  for q in idx_counts idx_page_many idx_page_few; do printf "%-15s index " $q; "$SQLQ" "$SQLITE_INDEX" "${!q}" "$N"; done
  . "$HERE/pg-queries.sh"
  echo "### PostgreSQL q=$W"
  for q in main_total main_escaped main_page_many main_page_few; do printf "%-15s main  " $q; "$HERE/pgq.sh" "$PG_MAIN" "${!q}" "$N" | grep runs; done
  for q in idx_counts idx_page_many idx_page_few; do printf "%-15s index " $q; "$HERE/pgq.sh" "$PG_INDEX" "${!q}" "$N" | grep runs; done
done
