#!/usr/bin/env bash
# kill -9 in the middle of bulk work and of a write load, on SQLite (issue 9, item 8 and
# "a crash test"): after each kill, PRAGMA integrity_check, what the rows say (nothing
# half-written), and what the next command says or does.
#   demo        `escapement demo --defects DEMO_DEFECTS` killed after DEMO_KILL s (while its
#               defects are written: nothing may be left, and the demo simply runs again),
#               then a demo of DEMO_DEFECTS_COMMITTED killed once its defects are committed:
#               the rerun says what happened and what to run, a server offers the setup
#               link, `demo --replace` loads it
#   import      `escapement import defects` of IMPORT_ROWS rows killed after IMPORT_KILL s;
#               no defect of it may exist; the same command then imports every row
#   write load  64 writers (tests/examples/write_load.rs) against a server killed after
#               LOAD_KILL s and restarted; every accepted write must be stored (lost 0)
# All traffic goes to 127.0.0.1. Exits 1 when a check fails.
#
#   benches/crash.sh
#   DEMO_DEFECTS=300000 DEMO_KILL=1 benches/crash.sh
set -euo pipefail
# The messages as a user sees them, without a developer's backtraces.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE

DEMO_DEFECTS=${DEMO_DEFECTS:-1000000}
DEMO_KILL=${DEMO_KILL:-3}
DEMO_DEFECTS_COMMITTED=${DEMO_DEFECTS_COMMITTED:-200000}
IMPORT_ROWS=${IMPORT_ROWS:-300000}
IMPORT_KILL=${IMPORT_KILL:-2}
LOAD_KILL=${LOAD_KILL:-6}
PORT=${PORT:-8195}

cd "$(dirname "$0")/.."
source benches/write_load_build.sh
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
STATUS=0
fail() { echo "FAILED: $*"; STATUS=1; }
integrity() {
    local result
    result=$(sqlite3 "$1" "PRAGMA integrity_check")
    echo "  integrity_check: $result"
    [[ "$result" == ok ]] || fail "integrity_check of $1"
}
# kill_now PID SECONDS TOO_LATE: kill -9 a process that must still be running; TOO_LATE says
# what to change when it had finished already.
kill_now() {
    if kill -9 "$1" 2>/dev/null; then
        wait "$1" 2>/dev/null || true
        echo "  killed -9 after $2 s"
    else
        fail "$3"
    fi
}
rows() { sqlite3 "$1" "SELECT (SELECT count(*) FROM defects) || ' defects, ' || (SELECT count(*) FROM users) || ' users, ' || (SELECT count(*) FROM reviews) || ' reviews'"; }

# demo_kill DB WHEN DEFECTS: starts the demo, kills it -9 after WHEN seconds or, for WHEN=defects,
# as soon as its defects are committed (while its accounts and reviews are being written).
demo_kill() {
    "$BIN" --database "sqlite://$1" demo --defects "$3" >"$WORK/demo.out" 2>&1 &
    local pid=$! start=$SECONDS
    if [[ "$2" == defects ]]; then
        until [[ -f "$1" ]] && [[ "$(sqlite3 "$1" "SELECT count(*) FROM defects" 2>/dev/null)" =~ ^[1-9] ]]; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
    else
        sleep "$2"
    fi
    kill_now "$pid" $((SECONDS - start)) "the demo finished before the kill: raise DEMO_DEFECTS"
}

echo "## demo of $DEMO_DEFECTS defects killed -9 after ${DEMO_KILL} s, while it writes its defects"
DB=$WORK/demo-early.db
demo_kill "$DB" "$DEMO_KILL" "$DEMO_DEFECTS"
integrity "$DB"
echo "  left: $(rows "$DB")"
[[ "$(sqlite3 "$DB" "SELECT count(*) FROM defects")" == 0 ]] || fail "a half-written demo"
echo "  \$ escapement demo --defects 1000"
"$BIN" --database "sqlite://$DB" demo --defects 1000 >"$WORK/rerun.out" 2>&1 || fail "the rerun of the demo"
sed 's/^/    /' "$WORK/rerun.out" | head -2
echo

echo "## demo of $DEMO_DEFECTS_COMMITTED defects killed -9 once its defects are written, before its reviews"
DB=$WORK/demo.db
demo_kill "$DB" defects "$DEMO_DEFECTS_COMMITTED"
integrity "$DB"
echo "  left: $(rows "$DB")"
echo "  \$ escapement demo"
if "$BIN" --database "sqlite://$DB" demo --defects 1000 >"$WORK/rerun.out" 2>&1; then
    fail "the rerun loaded over an unfinished demo"
fi
sed 's/^/    /' "$WORK/rerun.out" | head -4
grep -q -- "--replace" "$WORK/rerun.out" || fail "the rerun does not say to run demo --replace"
ESCAPEMENT_LOG=info "$BIN" --database "sqlite://$DB" --bind "127.0.0.1:$PORT" serve >"$WORK/serve.log" 2>&1 &
PID=$!
PIDS+=("$PID")
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
if grep -q "setup?token=" "$WORK/serve.log"; then
    echo "  the server offers the setup link: $(grep -o 'http://[^ ]*setup?token=' "$WORK/serve.log" | head -1)…"
else
    fail "no setup link while no instance admin exists"
fi
kill "$PID"; wait "$PID" 2>/dev/null || true
echo "  \$ escapement demo --replace --defects 20000"
"$BIN" --database "sqlite://$DB" demo --replace --defects 20000 >"$WORK/replace.out" 2>&1 || fail "demo --replace"
sed 's/^/    /' "$WORK/replace.out" | head -2
integrity "$DB"
echo "  now: $(rows "$DB")"
echo

echo "## import of $IMPORT_ROWS rows killed after ${IMPORT_KILL} s"
DB=$WORK/import.db
"$BIN" --database "sqlite://$DB" migrate >/dev/null 2>&1
"$BIN" --database "sqlite://$DB" team add Checkout >/dev/null
CSV=$WORK/defects.csv
awk -v n="$IMPORT_ROWS" 'BEGIN {
    print "title,severity,discovery_stage,origin,defect_type,detected_by,component,release,discovered_at,introduced_at,resolved_at,external_key,description"
    split("critical high medium low", s, " ")
    for (i = 1; i <= n; i++)
        printf "Imported defect %d,%s,production,code,functional,customer,Area %d,R%d,2026-0%d-1%d,,,CRASH-%d,Row %d of the crash test\n",
            i, s[i % 4 + 1], i % 7, i % 5, 1 + i % 9, i % 10, i, i
}' >"$CSV"
"$BIN" --database "sqlite://$DB" import defects "$CSV" --team Checkout >"$WORK/import.out" 2>"$WORK/import.err" &
PID=$!
sleep "$IMPORT_KILL"
kill_now "$PID" "$IMPORT_KILL" "the import finished before the kill: raise IMPORT_ROWS"
integrity "$DB"
LEFT=$(sqlite3 "$DB" "SELECT count(*) FROM defects")
echo "  defects left by the killed import: $LEFT"
[[ "$LEFT" == 0 ]] || fail "the killed import left $LEFT defects"
echo "  \$ escapement import defects defects.csv --team Checkout"
"$BIN" --database "sqlite://$DB" import defects "$CSV" --team Checkout >"$WORK/import.out" 2>/dev/null || fail "the rerun of the import"
sed 's/^/    /' "$WORK/import.out" | head -3
integrity "$DB"
DONE=$(sqlite3 "$DB" "SELECT count(*) FROM defects")
echo "  defects now: $DONE"
[[ "$DONE" == "$IMPORT_ROWS" ]] || fail "the rerun imported $DONE of $IMPORT_ROWS"
echo

echo "## write load: the server killed after ${LOAD_KILL} s of 64 writers, then restarted"
DB=$WORK/load.db
URL="sqlite://$DB"
serve() {
    ESCAPEMENT_LOG=warn "$BIN" --database "$URL" --bind "127.0.0.1:$PORT" serve >>"$WORK/load.log" 2>&1 &
    SERVER=$!
    PIDS+=("$SERVER")
}
serve
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
"$DRIVER" --database "$URL" --server "127.0.0.1:$PORT" --writers 64 --seconds $((LOAD_KILL + 8)) \
    --label "killed and restarted" --header >"$WORK/driver.out" 2>&1 &
DRIVER_PID=$!
PIDS+=("$DRIVER_PID")
sleep "$LOAD_KILL"
kill -9 "$SERVER"
wait "$SERVER" 2>/dev/null || true
integrity "$DB"
START=$(date +%s.%N)
serve
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
echo "  healthy again $(echo "$(date +%s.%N) - $START" | bc | xargs printf '%.2f') s after the restart"
wait "$DRIVER_PID" || fail "the write load lost or doubled a write, applied a stale one or saw a 5xx"
sed 's/^/  /' "$WORK/driver.out"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
integrity "$DB"
exit "$STATUS"
