#!/bin/bash
# pgq.sh DB SQL [N]: the plan's first lines, then the server-side execution time of N runs
# (EXPLAIN (ANALYZE, TIMING OFF)), min and median.
DB=$1; SQL=$2; N=${3:-7}; PG=${PG:-postgres://postgres@127.0.0.1:5432}
psql "$PG/$DB" -Atc "EXPLAIN $SQL" | head -3 | sed 's/^/plan: /'
for i in $(seq 1 "$N"); do psql "$PG/$DB" -Atc "EXPLAIN (ANALYZE, TIMING OFF) $SQL" | grep "Execution Time" | grep -o "[0-9.]*"; done \
  | sort -n | awk '{a[NR]=$1} END {printf "runs=%d min %.1f ms median %.1f ms\n", NR, a[1], a[int((NR+1)/2)]}'
