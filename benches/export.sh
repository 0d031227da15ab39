#!/usr/bin/env bash
# Streaming backlog exports, in one run: peak memory and time of
# `escapement export backlog --status all` for 10,000 and for 100,000 improvement actions on
# SQLite, as the ratio 100k ÷ 10k (flat memory: far below the 10× the items grow by).
#   benches/export.sh            # FORMATS="jira-csv json markdown" by default
# Builds the release binary, fills two fresh databases with the default demo (600 defects
# and their reviews and actions), multiplies the demo's actions to the wanted count in SQL
# (benches/export_multiply.sql: each copy addresses the same escapes), then measures each format with
# GNU time (maximum resident set) and hyperfine (mean wall time).
# Needs sqlite3, hyperfine and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
formats="${FORMATS:-jira-csv json markdown}"
bin=target/release/escapement
cargo build --release -p escapement-web >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fill() { # fill DB ACTIONS
  local db="$1" want="$2"
  "$bin" --database "sqlite://$db?mode=rwc" demo >/dev/null
  local have
  have=$(sqlite3 "$db" "SELECT COUNT(*) FROM improvement_actions")
  local copies=$(( (want + have - 1) / have - 1 ))
  sed "s/COPIES/$copies/" benches/export_multiply.sql | sqlite3 "$db"
  # Trim to exactly the wanted count, newest copies first.
  sqlite3 "$db" "DELETE FROM improvement_actions WHERE rowid IN (SELECT rowid FROM improvement_actions ORDER BY rowid DESC LIMIT (SELECT COUNT(*) - $want FROM improvement_actions)); DELETE FROM action_escapes WHERE action_id NOT IN (SELECT id FROM improvement_actions)"
  sqlite3 "$db" "SELECT COUNT(*) FROM improvement_actions"
}

small="$work/small.db"; large="$work/large.db"
echo "actions: $(fill "$small" 10000) and $(fill "$large" 100000)"

printf '| format | actions | peak RSS (MiB) | mean time (s) | output (MiB) |\n|---|---|---|---|---|\n'
for f in $formats; do
  declare -A rss=() secs=()
  for size in small large; do
    db="$work/$size.db"
    out="$work/out-$f-$size"
    /usr/bin/time -f "%M" -o "$work/rss" \
      "$bin" --database "sqlite://$db" export backlog --format "$f" --status all --output "$out" 2>/dev/null
    rss[$size]=$(awk '{ printf "%.1f", $1 / 1024 }' "$work/rss")
    hyperfine -N -w 1 -r "${RUNS:-5}" --export-json "$work/h.json" \
      "$bin --database sqlite://$db export backlog --format $f --status all --output $out" >/dev/null 2>&1
    secs[$size]=$(python3 -c "import json;print('%.3f' % json.load(open('$work/h.json'))['results'][0]['mean'])")
    n=$([ "$size" = small ] && echo 10000 || echo 100000)
    mib=$(du -m "$out" | cut -f1)
    printf '| %s | %s | %s | %s | %s |\n' "$f" "$n" "${rss[$size]}" "${secs[$size]}" "$mib"
  done
  python3 -c "print('| %s | ratio 100k ÷ 10k | %.2f× | %.2f× | |' % ('$f', ${rss[large]} / ${rss[small]}, ${secs[large]} / ${secs[small]}))"
done
