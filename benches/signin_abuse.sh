#!/usr/bin/env bash
# Sign-in abuse against the release server on a fresh SQLite database (issue 9, items 2, 3
# and 7), all to 127.0.0.1. The server trusts 127.0.0.1 as a proxy, so each attempt can
# name a client address of its own in X-Forwarded-For, as a crowd behind a proxy would.
#   1. ATTEMPTS (default 120) parallel sign-ins, each for another unknown account from
#      another address, so that no throttle spares a password hash: the answers by status
#      and the server's RssAnon (from /proc/PID/status, sampled every 20 ms) before, at its
#      peak and 5 s after. The target is a peak under 256 MiB.
#   2. 22 wrong passwords for one account from one address (answered 422, then 429), then
#      another account signs in from another address: it must answer 303.
# Exits 1 when the peak reaches 256 MiB or the other account is refused.
#
#   benches/signin_abuse.sh
#   ATTEMPTS=240 ROUNDS=3 benches/signin_abuse.sh
set -euo pipefail

ATTEMPTS=${ATTEMPTS:-120}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-8193}
LIMIT_KIB=$((256 * 1024))
EMAIL=abuse.bench@example.com
PASSWORD='sign-in abuse bench passphrase'

cd "$(dirname "$0")/.."
if [[ -z "${SKIP_BUILD:-}" ]]; then
    cargo build --release -p escapement-web >&2
fi
BIN=${CARGO_TARGET_DIR:-target}/release/escapement
WORK=$(mktemp -d)
DATABASE_URL="sqlite://$WORK/abuse.db"
BASE=http://127.0.0.1:$PORT
if curl -s -o /dev/null "$BASE/healthz"; then
    echo "something already answers on port $PORT: choose another with PORT=…" >&2
    exit 1
fi
"$BIN" --database "$DATABASE_URL" migrate >/dev/null 2>&1
printf '%s\n' "$PASSWORD" | "$BIN" --database "$DATABASE_URL" user add --email "$EMAIL" \
    --name "Abuse Bench" --password-stdin >/dev/null
ESCAPEMENT_LOG=warn "$BIN" --database "$DATABASE_URL" --bind "127.0.0.1:$PORT" \
    --trusted-proxy 127.0.0.1 serve >"$WORK/server.log" 2>&1 &
SERVER=$!
SAMPLER=
trap '[[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null; kill "$SERVER" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

rss() { awk '/^RssAnon:/ {print $2}' "/proc/$SERVER/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }

# A visitor's CSRF pair: the cookie the login page sets and the token it carries.
JAR=$WORK/jar
TOKEN=$(curl -fs -c "$JAR" "$BASE/login" | grep -o 'name="csrf_token" value="[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{64\}')
attempt() { # attempt EMAIL PASSWORD CLIENT_ADDRESS -> status
    curl -s -o /dev/null -w '%{http_code}\n' -b "$JAR" -H "X-Forwarded-For: $3" \
        --data-urlencode "csrf_token=$TOKEN" --data-urlencode "email=$1" \
        --data-urlencode "password=$2" "$BASE/login"
}
export -f attempt
export JAR TOKEN BASE

BEFORE=$(rss)
( while kill -0 "$SERVER" 2>/dev/null; do rss >>"$WORK/rss"; sleep 0.02; done ) 2>/dev/null &
SAMPLER=$!
START=$(date +%s.%N)
for round in $(seq "$ROUNDS"); do
    seq "$ATTEMPTS" | xargs -P "$ATTEMPTS" -I{} bash -c \
        "attempt guess{}.r$round@example.com 'a wrong password {}' 10.$round.\$(( {} / 250 )).\$(( {} % 250 ))" \
        >>"$WORK/statuses"
done
END=$(date +%s.%N)
sleep 5
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=
PEAK=$(sort -n "$WORK/rss" | tail -1)
AFTER=$(rss)

echo "$((ATTEMPTS * ROUNDS)) parallel sign-ins ($ROUNDS x $ATTEMPTS), each for another account from another address, $(nproc) cores"
echo
echo "| answers | RssAnon before | peak | 5 s after | seconds |"
echo "|---|---:|---:|---:|---:|"
ANSWERS=$(sort "$WORK/statuses" | uniq -c | awk '{printf "%s%s x %s", sep, $1, $2; sep=", "}')
printf '| %s | %s | %s | %s | %.1f |\n' "$ANSWERS" "$(mib "$BEFORE")" "$(mib "$PEAK")" "$(mib "$AFTER")" \
    "$(echo "$END - $START" | bc)"
echo

GUESSES=$(for n in $(seq 22); do attempt "$EMAIL" "wrong guess $n" 203.0.113.66; done | sort | uniq -c |
    awk '{printf "%s%s x %s", sep, $1, $2; sep=", "}')
# The guessed account itself, now from another address: refused while its failures last.
echo "22 wrong passwords for one account from 203.0.113.66: $GUESSES"
echo "the same account with its password from 198.51.100.20: $(attempt "$EMAIL" "$PASSWORD" 198.51.100.21)"
STATUS=0
printf '%s\n' "$PASSWORD" | "$BIN" --database "$DATABASE_URL" user add --email other.$EMAIL \
    --name "Other Bench" --password-stdin >/dev/null
OTHER=$(attempt "other.$EMAIL" "$PASSWORD" 198.51.100.20)
echo "another account with its password from 198.51.100.20: $OTHER"
[[ "$OTHER" == 303 ]] || STATUS=1
(( PEAK < LIMIT_KIB )) || { echo "peak RssAnon $(mib "$PEAK") is over 256 MiB" >&2; STATUS=1; }
exit "$STATUS"
