#!/bin/bash
# usage: bench-e2e.sh OUT "LABEL BIN DBURL PORT EMAIL PASSWORD" "LABEL BIN DBURL PORT EMAIL PASSWORD" -- query...
# Starts one server per spec, signs in, checks the counts, then one hyperfine run over every
# (server, query) pair so both see the same machine load.
set -u
OUT=$1; shift
SPECS=()
while [ "$1" != "--" ]; do SPECS+=("$1"); shift; done; shift
PIDS=(); ARGS=()
for spec in "${SPECS[@]}"; do
  read -r LABEL BIN DB PORT EMAIL PW <<< "$spec"
  $BIN --database "$DB" --bind 127.0.0.1:$PORT serve > "$OUT.$LABEL.server.log" 2>&1 &
  SPID=$!; PIDS+=($SPID)
  for i in $(seq 1 100); do kill -0 $SPID 2>/dev/null || { echo "server $LABEL exited"; cat "$OUT.$LABEL.server.log"; kill ${PIDS[@]}; exit 1; }; curl -s -o /dev/null http://127.0.0.1:$PORT/login && break; sleep 0.3; done
  JAR=$(mktemp)
  TOKEN=$(curl -s -c "$JAR" -b "$JAR" http://127.0.0.1:$PORT/login | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"$//')
  curl -s -o /dev/null -w "$LABEL login %{http_code}\n" -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$TOKEN" --data-urlencode "email=$EMAIL" --data-urlencode "password=$PW" --data-urlencode "next=/defects" http://127.0.0.1:$PORT/login
  COOKIE=$(awk '!/^#/ || /^#HttpOnly_/ {sub(/^#HttpOnly_/,""); if (NF>=7) printf "%s=%s; ", $6, $7}' "$JAR"); rm -f "$JAR"
  for q in "$@"; do
    echo "$LABEL $q: $(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/defects?$q" | grep -o "<strong>[0-9]*</strong> defects\?, <strong>[0-9]*</strong> escaped" | sed "s/<[^>]*>//g")"
    ARGS+=(-n "$LABEL $q" "curl -sf -o /dev/null -H 'Cookie: $COOKIE' 'http://127.0.0.1:$PORT/defects?$q'")
  done
done
cat /proc/loadavg
hyperfine -N --warmup 2 --min-runs ${RUNS:-15} --export-json "$OUT.json" --export-markdown "$OUT.md" "${ARGS[@]}" 2>&1 | grep -Ev '^\s*$'
cat /proc/loadavg
kill ${PIDS[@]}; wait 2>/dev/null
