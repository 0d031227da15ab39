#!/usr/bin/env bash
# The signed-in request path against the anonymous one, in one run on one database.
#
#   benches/session.sh sqlite:///tmp/sp.db
#   benches/session.sh postgres://postgres@127.0.0.1:5432/sp
#
# Builds the release binary, fills the database with the demo when it has no user yet
# (DEFECTS, default 100000), adds a bench user who is an editor of Checkout and a viewer of
# Platform, serves it on PORT (default 8095), signs in through the login form, then runs wrk
# (THREADS x CONNECTIONS for DURATION) against:
#   GET /login          anonymous (the baseline)
#   GET /settings       signed in (the figure the ratio is about)
#   GET /static/app.css anonymous and with the session cookie (static files read no session)
# prints requests/s and CPU per request (server and, on a local PostgreSQL, its backends) of
# each and the ratio settings/login, and stops the server.
# SKIP_BUILD=1 uses the binary already built; BIN=path runs another build of it (an older
# commit's, for a before/after comparison in the same conditions).
set -euo pipefail

DATABASE_URL=${1:?usage: benches/session.sh DATABASE_URL}
PORT=${PORT:-8095}
DEFECTS=${DEFECTS:-100000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-6s}
EMAIL=session.bench@example.com
PASSWORD='session bench passphrase 2026'

cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/escapement}
if [[ -z "${SKIP_BUILD:-}" && "$BIN" == target/release/escapement ]]; then
    cargo build --release -p escapement-web >&2
fi
esc() { "$BIN" --database "$DATABASE_URL" "$@"; }

if [[ -z "$(esc user list)" ]]; then
    echo "loading the demo ($DEFECTS defects) into $DATABASE_URL" >&2
    esc demo --defects "$DEFECTS" >/dev/null
fi
if ! esc user list | grep "^$EMAIL" >/dev/null; then
    printf '%s\n' "$PASSWORD" | esc user add --email "$EMAIL" --name "Session Bench" --password-stdin >/dev/null
    esc member add --team Checkout --email "$EMAIL" --role editor >/dev/null
    esc member add --team Platform --email "$EMAIL" --role viewer >/dev/null
fi

BASE=http://127.0.0.1:$PORT
if curl -s -o /dev/null "$BASE/healthz"; then
    echo "something already answers on port $PORT: choose another with PORT=…" >&2
    exit 1
fi
WORK=$(mktemp -d)
ESCAPEMENT_LOG=warn "$BIN" --database "$DATABASE_URL" --bind "127.0.0.1:$PORT" serve \
    >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

# Sign in like a browser: the login page sets the CSRF cookie and carries the token.
JAR=$WORK/cookies
TOKEN=$(curl -fs -c "$JAR" "$BASE/login" | grep -o 'name="csrf_token" value="[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{64\}')
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" -c "$JAR" \
    --data-urlencode "csrf_token=$TOKEN" --data-urlencode "email=$EMAIL" \
    --data-urlencode "password=$PASSWORD" --data-urlencode "next=/settings" "$BASE/login")
[[ "$STATUS" == 303 ]] || { echo "sign-in answered $STATUS" >&2; exit 1; }
COOKIE=$(awk '$6 ~ /^escapement_/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$JAR")
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/settings")
[[ "$STATUS" == 200 ]] || { echo "GET /settings answered $STATUS when signed in" >&2; exit 1; }

# CPU time (clock ticks) of the server and, for a PostgreSQL on this machine, of the
# database's backends: per pid, so a backend that starts during a run counts from zero.
cpu_ticks() {
    local pids=$SERVER
    if [[ "$DATABASE_URL" == postgres* ]] && command -v psql >/dev/null; then
        pids="$pids $(psql "$DATABASE_URL" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" 2>/dev/null | tr '\n' ' ')"
    fi
    for pid in $pids; do
        [[ -r /proc/$pid/stat ]] && awk -v p="$pid" '{sub(/.*\) /, ""); print p, $12 + $13}' "/proc/$pid/stat"
    done
}

# One wrk run: requests/s, and CPU microseconds per request (server + database), which a
# busy machine disturbs less than the rate. Non-2xx answers are reported on stderr.
rate() {
    local out before after
    before=$(cpu_ticks)
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@")
    after=$(cpu_ticks)
    if grep -q "Non-2xx" <<<"$out"; then grep "Non-2xx" <<<"$out" >&2; fi
    local requests rps ticks
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    ticks=$(awk 'NR == FNR {start[$1] = $2; next} {used += $2 - start[$1]} END {print used + 0}' \
        <(printf '%s\n' "$before") <(printf '%s\n' "$after"))
    awk -v r="$rps" -v t="$ticks" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
        'BEGIN {printf "%s %.0f\n", r, t / hz * 1e6 / n}'
}

wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "Cookie: $COOKIE" "$BASE/settings" >/dev/null # warm-up
read -r LOGIN LOGIN_CPU < <(rate "$BASE/login")
read -r SETTINGS SETTINGS_CPU < <(rate -H "Cookie: $COOKIE" "$BASE/settings")
read -r CSS CSS_CPU < <(rate "$BASE/static/app.css")
read -r CSS_SIGNED_IN CSS_SIGNED_IN_CPU < <(rate -H "Cookie: $COOKIE" "$BASE/static/app.css")

echo "database: ${DATABASE_URL%%://*}   wrk -t$THREADS -c$CONNECTIONS -d$DURATION   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %10s req/s %6s µs CPU/request\n' \
    "GET /login (anonymous)" "$LOGIN" "$LOGIN_CPU" \
    "GET /settings (signed in)" "$SETTINGS" "$SETTINGS_CPU" \
    "GET /static/app.css (anonymous)" "$CSS" "$CSS_CPU" \
    "GET /static/app.css (with cookie)" "$CSS_SIGNED_IN" "$CSS_SIGNED_IN_CPU"
awk -v s="$SETTINGS" -v l="$LOGIN" -v sc="$SETTINGS_CPU" -v lc="$LOGIN_CPU" 'BEGIN {
    printf "ratio signed-in /settings / anonymous /login: %.2f (CPU per request: %.2f)\n", s / l, sc / lc }'
awk -v s="$CSS_SIGNED_IN" -v l="$CSS" 'BEGIN {printf "ratio static with cookie / without: %.2f\n", s / l}'
