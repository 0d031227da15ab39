#!/usr/bin/env bash
# The dashboard against the GROUP BY queries it replaces, in one run:
#   benches/dashboard.sh sqlite:///tmp/bench.db
#   benches/dashboard.sh postgres://postgres@127.0.0.1:5432/bench
# Builds the release binary, fills an empty database with `demo --defects N` (N from
# DEFECTS, default 1,000,000) and an instance admin, serves it, signs in as that admin,
# and times with hyperfine: the whole-organisation and the single-team dashboard (one HTTP
# request each; one team through ?team=) against the same numbers' GROUP BY queries typed into the sqlite3 / psql
# shell on the same database; then two ranges of days that are not whole quarters (one
# team's last 30 days; the organisation from 15 January to 20 November, whose ends are
# counted from the defects themselves) against the same queries limited to those days.
# Prints the means and the ratios; the target is at most 0.1.
# Needs hyperfine, curl, jq and the sqlite3 or psql shell.
set -euo pipefail
cd "$(dirname "$0")/.."
url="${1:?usage: benches/dashboard.sh sqlite:///path.db | postgres://…/db}"
defects="${DEFECTS:-1000000}"
port="${PORT:-8097}"
runs="${RUNS:-10}"
bin=target/release/escapement
cargo build --release -p escapement-web >/dev/null
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

if ! "$bin" --database "$url" user list 2>/dev/null | grep -q "admin@bench.example"; then
  "$bin" --database "$url" demo --defects "$defects" >/dev/null
  echo "bench admin passphrase" | "$bin" --database "$url" user add --email admin@bench.example \
    --name "Bench admin" --admin --password-stdin >/dev/null
fi

"$bin" --database "$url" --bind "127.0.0.1:$port" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

sign_in() { # email password jar
  local token
  token="$(curl -s -c "$3" -b "$3" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')"
  curl -s -o /dev/null -c "$3" -b "$3" --data-urlencode "csrf_token=$token" \
    --data-urlencode "email=$1" --data-urlencode "password=$2" "http://127.0.0.1:$port/login"
}
sign_in admin@bench.example "bench admin passphrase" "$work/admin.jar"

# The team the single-team numbers are for: the demo's first team, Checkout.
case "$url" in
  sqlite://*)
    db="${url#sqlite://}"
    team_hex="$(sqlite3 "$db" "SELECT hex(id) FROM teams WHERE name = 'Checkout'")"
    team_id="$(sqlite3 "$db" "SELECT lower(substr(hex(id),1,8)||'-'||substr(hex(id),9,4)||'-'||substr(hex(id),13,4)||'-'||substr(hex(id),17,4)||'-'||substr(hex(id),21)) FROM teams WHERE name = 'Checkout'")"
    sed 's/TEAM_FILTER_D/1=1/; s/TEAM_FILTER/1=1/' benches/dashboard_baseline.sqlite.sql >"$work/all.sql"
    sed "s/TEAM_FILTER_D/d.team_id = X'$team_hex'/; s/TEAM_FILTER/team_id = X'$team_hex'/" benches/dashboard_baseline.sqlite.sql >"$work/team.sql"
    shell_all="sqlite3 $db < $work/all.sql > /dev/null"
    shell_team="sqlite3 $db < $work/team.sql > /dev/null"
    shell="sqlite3 $db"
    ;;
  postgres://*)
    team_id="$(psql "$url" -Atc "SELECT id FROM teams WHERE name = 'Checkout'")"
    sed 's/TEAM_FILTER_D/1=1/; s/TEAM_FILTER/1=1/' benches/dashboard_baseline.postgres.sql >"$work/all.sql"
    sed "s/TEAM_FILTER_D/d.team_id = '$team_id'/; s/TEAM_FILTER/team_id = '$team_id'/" benches/dashboard_baseline.postgres.sql >"$work/team.sql"
    shell_all="psql $url -q -f $work/all.sql > /dev/null"
    shell_team="psql $url -q -f $work/team.sql > /dev/null"
    shell="psql $url -q -f -"
    ;;
esac
team_query="team=$team_id"

# The ranges of days, relative to today (UTC): one team's last 30 days, and the whole
# organisation from 15 January of last year to 20 November of this year.
month_start="$(date -u -d '30 days ago' +%F)"
today="$(date -u +%F)"
year="$(date -u +%Y)"
long_from="$((year - 1))-01-15"
long_to="$year-11-20"
until_of() { date -u -d "$1 + 1 day" +%F; }
# The baseline's window is `detected_at >= '2025-01-01'`; a range replaces it.
ranged() { # sql-file from until out
  sed "s/detected_at >= '2025-01-01'/detected_at >= '$2' AND detected_at < '$3'/g" "$1" >"$4"
}
ranged "$work/team.sql" "$month_start" "$(until_of "$today")" "$work/team_days.sql"
ranged "$work/all.sql" "$long_from" "$(until_of "$long_to")" "$work/all_days.sql"

hyperfine --style basic --warmup 2 --runs "$runs" --export-json "$work/times.json" \
  -n "dashboard, whole organisation" "curl -sf -b $work/admin.jar -o /dev/null http://127.0.0.1:$port/dashboard" \
  -n "GROUP BY in the shell, whole organisation" "$shell_all" \
  -n "dashboard, one team" "curl -sf -b $work/admin.jar -o /dev/null 'http://127.0.0.1:$port/dashboard?$team_query'" \
  -n "GROUP BY in the shell, one team" "$shell_team" \
  -n "dashboard, one team, last 30 days" "curl -sf -b $work/admin.jar -o /dev/null 'http://127.0.0.1:$port/dashboard?$team_query&from=$month_start&to=$today'" \
  -n "GROUP BY in the shell, one team, last 30 days" "$shell < $work/team_days.sql > /dev/null" \
  -n "dashboard, whole organisation, $long_from to $long_to" "curl -sf -b $work/admin.jar -o /dev/null 'http://127.0.0.1:$port/dashboard?from=$long_from&to=$long_to'" \
  -n "GROUP BY in the shell, whole organisation, same days" "$shell < $work/all_days.sql > /dev/null" >/dev/null

jq -r '.results | "| measurement | mean | ratio |", "|---|---|---|",
  (. as $r | range(0; length; 2) as $i |
    "| \($r[$i].command) | \($r[$i].mean * 1000 | floor) ms | \(($r[$i].mean / $r[$i+1].mean) * 1000 | round / 1000) |",
    "| \($r[$i+1].command) | \($r[$i+1].mean * 1000 | floor) ms | baseline |")' "$work/times.json"
echo "target: each dashboard at most 0.1 of its GROUP BY baseline"
