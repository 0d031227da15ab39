#!/usr/bin/env bash
# The write load of issue 9 against release servers: WRITERS writers (default 64) for
# SECONDS (default 60), two of them on one review and the others on reviews and defects of
# their own, each save carrying the version its writer read and a unique marker, every
# fourth one followed by a save at the version already used. Three runs:
#   sqlite        one server on a fresh SQLite file
#   postgres      one server on a fresh PostgreSQL database
#   2 x postgres  two servers sharing one fresh PostgreSQL database (writers alternate)
# and one table: accepted, refused as stale (409) and how many of those were the deliberate
# stale saves, 5xx, other answers, lost writes (an accepted marker not stored), markers
# stored twice, stale writes applied, and records whose version did not rise exactly once
# per accepted save. The driver is tests/examples/write_load.rs (the same code as the HTTP
# suite's write_load test). Exits 1 when any run lost, doubled or applied a stale write or
# saw a 5xx.
#
#   benches/write_load.sh
#   WRITERS=16 SECONDS_EACH=10 PG=postgres://postgres@127.0.0.1:5432 benches/write_load.sh
#
# Traffic goes to 127.0.0.1 only. PostgreSQL databases are named wl_<random> on PG
# (default postgres://postgres@127.0.0.1:5432) and dropped at the end.
set -euo pipefail

WRITERS=${WRITERS:-64}
SECONDS_EACH=${SECONDS_EACH:-60}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-8191}

cd "$(dirname "$0")/.."
source benches/write_load_build.sh

WORK=$(mktemp -d)
SERVERS=()
DATABASES=()
stop_servers() {
    for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${SERVERS[@]}"; do wait "$pid" 2>/dev/null || true; done
    SERVERS=()
}
cleanup() {
    stop_servers
    for db in "${DATABASES[@]}"; do
        psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# serve DATABASE_URL PORT: starts a server and waits until it answers.
serve() {
    if curl -s -o /dev/null "http://127.0.0.1:$2/healthz"; then
        echo "something already answers on port $2: choose another with PORT=…" >&2
        exit 1
    fi
    ESCAPEMENT_LOG=warn "$BIN" --database "$1" --bind "127.0.0.1:$2" serve >"$WORK/server-$2.log" 2>&1 &
    SERVERS+=($!)
    for _ in $(seq 200); do
        curl -fs "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return
        sleep 0.1
    done
    cat "$WORK/server-$2.log" >&2
    exit 1
}

# new_pg: creates a database and sets URL to it (not in a subshell, so that the cleanup
# knows its name).
new_pg() {
    local name
    name=wl_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
    psql "$PG/postgres" -qc "CREATE DATABASE \"$name\"" >/dev/null
    DATABASES+=("$name")
    URL="$PG/$name"
}

STATUS=0
run() {
    local label=$1 url=$2 header=$3
    shift 3
    local servers=()
    for port in "$@"; do servers+=(--server "127.0.0.1:$port"); done
    "$DRIVER" --database "$url" "${servers[@]}" --writers "$WRITERS" --seconds "$SECONDS_EACH" \
        --label "$label" $header || STATUS=1
}

echo "$WRITERS writers for $SECONDS_EACH s per run ($(nproc) cores)"
echo
SQLITE="sqlite://$WORK/wl.db"
serve "$SQLITE" "$PORT"
run sqlite "$SQLITE" --header "$PORT"
stop_servers

new_pg
serve "$URL" "$PORT"
run postgres "$URL" "" "$PORT"
stop_servers

new_pg
"$BIN" --database "$URL" migrate >/dev/null 2>&1
serve "$URL" "$PORT"
serve "$URL" "$((PORT + 1))"
run "2 x postgres" "$URL" "" "$PORT" "$((PORT + 1))"
stop_servers

for log in "$WORK"/server-*.log; do
    if grep -qiE "panick|error" "$log"; then
        echo "server log $(basename "$log"):" >&2
        grep -iE "panick|error" "$log" | head -5 >&2
    fi
done
exit "$STATUS"
