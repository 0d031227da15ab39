#!/usr/bin/env bash
# The release server's memory (RssAnon from /proc/PID/status) idle, after signed-in load on
# the busiest read pages and 20 s later, with glibc's default arenas and with
# MALLOC_ARENA_MAX=2 (issue 9, item 15), on a fresh SQLite demo of DEFECTS defects
# (default 100000). Load: wrk, THREADS x CONNECTIONS (2 x 16) for DURATION (10s) on each of
# /dashboard, /defects, /reviews and /backlog in turn. All traffic to 127.0.0.1.
#
#   benches/memory.sh
#   DEFECTS=1000000 DURATION=20s benches/memory.sh
set -euo pipefail

DEFECTS=${DEFECTS:-100000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-10s}
PORT=${PORT:-8197}
EMAIL=memory.bench@example.com
PASSWORD='memory bench passphrase 2026'
PAGES=(/dashboard /defects /reviews /backlog)

cd "$(dirname "$0")/.."
if [[ -z "${SKIP_BUILD:-}" ]]; then
    cargo build --release -p escapement-web >&2
fi
BIN=${CARGO_TARGET_DIR:-target}/release/escapement
WORK=$(mktemp -d)
SERVER=
trap '[[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
DATABASE_URL="sqlite://$WORK/memory.db"
BASE=http://127.0.0.1:$PORT
"$BIN" --database "$DATABASE_URL" demo --defects "$DEFECTS" >/dev/null 2>&1
printf '%s\n' "$PASSWORD" | "$BIN" --database "$DATABASE_URL" user add --admin --email "$EMAIL" \
    --name "Memory Bench" --password-stdin >/dev/null

rss() { awk '/^RssAnon:/ {printf "%.0f MiB", $2 / 1024}' "/proc/$SERVER/status"; }

# measure LABEL [ENV=VALUE…]: serves, signs in, loads each page, prints one table row.
measure() {
    local label=$1
    shift
    env "$@" ESCAPEMENT_LOG=warn "$BIN" --database "$DATABASE_URL" --bind "127.0.0.1:$PORT" serve \
        >"$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    local jar=$WORK/jar token cookie idle loaded after
    rm -f "$jar"
    token=$(curl -fs -c "$jar" "$BASE/login" | grep -o 'name="csrf_token" value="[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{64\}')
    curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf_token=$token" \
        --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$BASE/login"
    cookie=$(awk '$6 ~ /^escapement_/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar")
    [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$BASE/dashboard")" == 200 ]] ||
        { echo "the bench user is not signed in" >&2; exit 1; }
    idle=$(rss)
    local row="| $label | $idle"
    for page in "${PAGES[@]}"; do
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Cookie: $cookie" "$BASE$page" >/dev/null
        row="$row | $(rss)"
    done
    sleep 20
    echo "$row | $(rss) |"
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true
    SERVER=
}

echo "RssAnon on a $DEFECTS-defect SQLite demo, wrk -t$THREADS -c$CONNECTIONS -d$DURATION per page, $(nproc) cores"
echo
echo "| allocator | idle | after ${PAGES[0]} | after ${PAGES[1]} | after ${PAGES[2]} | after ${PAGES[3]} | 20 s later |"
echo "|---|---:|---:|---:|---:|---:|---:|"
measure "glibc, default arenas"
measure "glibc, MALLOC_ARENA_MAX=2" MALLOC_ARENA_MAX=2
