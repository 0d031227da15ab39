#!/usr/bin/env bash
# Every read page under load, against its baseline, in one run on one database: the table the
# scale targets are judged by (docs/benchmarks.md "Pages under load").
#
#   benches/load.sh sqlite:///tmp/load.db
#   benches/load.sh postgres://postgres@127.0.0.1:5432/load
#
# Builds the release binary, fills the database with the demo when it has no user yet
# (DEFECTS, default 1000000), adds a bench user who is team admin of Checkout (a team lead),
# serves it on PORT (default 8096), signs in through the login form, then runs
# `wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency` against each page and prints one table:
# requests/s, the ratio to the page's baseline, p50 and p99 latency, the time of the page's
# first request ("first": nothing of it kept yet, so its counts and metric cells are computed
# from the roll-up and the text index) and of one request alone after the run (warm, the best
# of three), non-2xx answers and socket errors, and the server's RssAnon after the run.
#   baseline of the signed-in path: GET /login, anonymous         target /settings >= 0.5x
#   baseline of every read page:    GET /settings, signed in      target >= 0.25x, alone <= 50 ms
#   /defects again with HIGH_CONNECTIONS (default 256)            target: no errors, no 5xx
#   RssAnon                                                       target <= 64 MiB
# Targets are checked and each row says "ok" or "MISSED"; the script exits 0 either way (it
# measures; it does not judge the machine's load). SKIP_BUILD=1 uses the binary already built;
# ONLY=regex runs only the pages whose path matches (with the baselines).
set -euo pipefail

DATABASE_URL=${1:?usage: benches/load.sh DATABASE_URL}
PORT=${PORT:-8096}
DEFECTS=${DEFECTS:-1000000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
HIGH_CONNECTIONS=${HIGH_CONNECTIONS:-256}
DURATION=${DURATION:-6s}
EMAIL=load.bench@example.com
PASSWORD='load bench passphrase 2026'

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
    printf '%s\n' "$PASSWORD" | esc user add --email "$EMAIL" --name "Load Bench" --password-stdin >/dev/null
    esc member add --team Checkout --email "$EMAIL" --role team_admin >/dev/null
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

# The objects the pages show, found through the API with the same session.
api() { curl -fs -H "Cookie: $COOKIE" "$BASE$1"; }
first_id() { python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])'; }
TEAM=$(api /api/v1/me | python3 -c 'import json, sys; print(json.load(sys.stdin)["memberships"][0]["team_id"])')
DEFECT=$(api "/api/v1/defects?team=$TEAM&escaped=yes&limit=1" | first_id)
REVIEW=$(api "/api/v1/reviews?team=$TEAM&state=in_review&limit=1" | first_id)
CLOSED=$(api "/api/v1/reviews?team=$TEAM&state=closed&limit=1" | first_id)

ms() { # wrk's latency ("812.00us", "1.93ms", "2.10s") in milliseconds
    awk -v t="$1" 'BEGIN {
        if (t ~ /us$/) { sub(/us$/, "", t); printf "%.1f", t / 1000 }
        else if (t ~ /ms$/) { sub(/ms$/, "", t); printf "%.1f", t }
        else if (t ~ /s$/) { sub(/s$/, "", t); printf "%.0f", t * 1000 }
        else if (t ~ /m$/) { sub(/m$/, "", t); printf "%.0f", t * 60000 } }'
}
rss_anon() { awk '/^RssAnon:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status"; }
alone() { # one request on its own, warm, in milliseconds (the best of three)
    local best=
    for _ in 1 2 3; do
        local t
        t=$(curl -s -o /dev/null -w '%{time_total}' "$@")
        best=$(awk -v a="$t" -v b="${best:-999}" 'BEGIN {print (a < b) ? a : b}')
    done
    awk -v t="$best" 'BEGIN {printf "%.0f", t * 1000}'
}

# One wrk run: "rps p50 p99 non2xx socket_errors".
run() {
    local connections=$1
    shift
    local out
    out=$(wrk -t"$THREADS" -c"$connections" -d"$DURATION" --latency "$@" 2>&1)
    local rps p50 p99 non2xx errors
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    p99=$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    errors=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out")
    echo "$rps $p50 $p99 ${non2xx:-0} ${errors:-0}"
}

printf '%-44s %9s %7s %8s %8s %6s %6s %6s %6s %8s  %s\n' \
    page req/s ratio "p50 ms" "p99 ms" first alone non2xx errors "RssAnon" target
row() { # label connections baseline_rps target_ratio path [signed-in]
    local label=$1 connections=$2 baseline=$3 target=$4 path=$5 signed=${6:-yes}
    local auth=()
    [[ "$signed" == yes ]] && auth=(-H "Cookie: $COOKIE")
    local status first
    read -r status first < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "${auth[@]}" "$BASE$path")
    [[ "$status" == 200 ]] || { echo "GET $path answered $status" >&2; exit 1; }
    first=$(awk -v t="$first" 'BEGIN {printf "%.0f", t * 1000}')
    read -r rps p50 p99 non2xx errors < <(run "$connections" "${auth[@]}" "$BASE$path")
    local one
    one=$(alone "${auth[@]}" "$BASE$path")
    local ratio=- verdict=baseline
    if [[ "$baseline" != - ]]; then
        ratio=$(awk -v a="$rps" -v b="$baseline" 'BEGIN {printf "%.2f", a / b}')
        verdict=$(awk -v r="$ratio" -v t="$target" -v one="$one" -v n="$non2xx" -v e="$errors" \
            'BEGIN {ok = (r >= t && one <= 50 && n == 0 && e == 0); printf "%s (>= %sx, <= 50 ms)", ok ? "ok" : "MISSED", t}')
    fi
    printf '%-44s %9.0f %7s %8s %8s %6s %6s %6s %6s %5s MiB  %s\n' \
        "$label" "$rps" "$ratio" "$p50" "$p99" "$first" "$one" "$non2xx" "$errors" "$(rss_anon)" "$verdict"
    LAST_RPS=$rps
}

echo "database: ${DATABASE_URL%%://*}   wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "Cookie: $COOKIE" "$BASE/settings" >/dev/null # warm-up
row "GET /login (anonymous)" "$CONNECTIONS" - - /login no
LOGIN=$LAST_RPS
row "GET /settings (signed in)" "$CONNECTIONS" "$LOGIN" 0.5 /settings
SETTINGS=$LAST_RPS
for page in \
    "/defects" \
    "/defects?escaped=yes" \
    "/defects?team=$TEAM&severity=critical&stage=production" \
    "/defects?team=$TEAM&escaped=no&page=50" \
    "/defects?q=coupon" \
    "/defects?q=zzzqqq" \
    "/defects/$DEFECT" \
    "/reviews" \
    "/reviews?state=closed" \
    "/escapes" \
    "/reviews/$REVIEW" \
    "/reviews/$CLOSED" \
    "/reviews/$REVIEW/history" \
    "/dashboard" \
    "/backlog" \
    "/api/v1/defects?escaped=yes" \
    "/api/v1/metrics/escape-rate"; do
    if [[ -n "${ONLY:-}" ]] && ! grep -Eq "$ONLY" <<<"$page"; then continue; fi
    label=${page//$TEAM/T}
    label=${label//$DEFECT/D}
    label=${label//$REVIEW/R}
    label=${label//$CLOSED/C}
    row "GET $label" "$CONNECTIONS" "$SETTINGS" 0.25 "$page"
done
row "GET /defects, $HIGH_CONNECTIONS connections" "$HIGH_CONNECTIONS" "$SETTINGS" 0 /defects
echo "server RssAnon after the run: $(rss_anon) MiB (target <= 64 MiB)"
