#!/usr/bin/env bash
# CSV import throughput against the demo loader, in one run:
#   benches/import.sh sqlite
#   benches/import.sh postgres://postgres@127.0.0.1:5432
# Builds the release binary, writes a generic CSV of ROWS defects (default 100,000) with
# awk, and times with hyperfine, each run on a fresh database: `demo --defects ROWS` (the
# bulk loader, the baseline) and `import defects FILE --team T` of the file. Prints both
# rates in rows per second and their ratio (the target is at least 0.5). Then imports a
# file of about 50 MB into a fresh database under /usr/bin/time and prints the peak
# resident memory. Needs hyperfine, awk, GNU time and, for PostgreSQL, psql (databases
# bench_import_* are created and dropped on that server).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: benches/import.sh sqlite | postgres://user@host:port}"
rows="${ROWS:-100000}"
runs="${RUNS:-3}"
bin="$PWD/target/release/escapement"
cargo build --release -p escapement-web >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A generic CSV: 12 components, 24 releases, every severity and stage, a unique key.
# `pad` characters of description per row (the 50 MB file takes longer ones).
write_csv() { # rows pad file
  awk -v n="$1" -v pad="$2" 'BEGIN {
    split("critical high medium low", sev, " ");
    split("unit_test integration_test system_test staging uat beta production", st, " ");
    split("functional performance security data usability", ty, " ");
    split("customer support monitoring internal_user automated_test", by, " ");
    d = ""; for (i = 0; i < pad; i++) d = d "x";
    print "title,severity,discovery_stage,origin,defect_type,detected_by,component,release,discovered_at,introduced_at,resolved_at,external_key,description";
    for (i = 0; i < n; i++) {
      day = i % 700; m = int(day / 28) % 12 + 1; dd = day % 28 + 1; y = 2024 + int(day / 336);
      printf "\"Defect %d, imported\",%s,%s,code,%s,%s,Component %d,R%d,%04d-%02d-%02d,,,IMP-%d,\"%s\"\n",
        i, sev[i % 4 + 1], st[i % 7 + 1], ty[i % 5 + 1], by[i % 5 + 1], i % 12, i % 24, y, m, dd, i, d;
    }
  }' > "$3"
}

write_csv "$rows" 40 "$work/rows.csv"

case "$kind" in
  sqlite)
    db() { echo "sqlite://$work/$1.db"; }
    fresh() { rm -f "$work/$1.db" "$work/$1.db-wal" "$work/$1.db-shm"; }
    ;;
  postgres://*)
    db() { echo "$kind/bench_import_$1"; }
    fresh() { psql "$kind/postgres" -qc "DROP DATABASE IF EXISTS bench_import_$1" -c "CREATE DATABASE bench_import_$1" >/dev/null; }
    ;;
  *) echo "unknown database kind: $kind" >&2; exit 2 ;;
esac
export -f fresh db
export work kind bin

hyperfine --shell=bash --runs "$runs" --export-json "$work/times.json" \
  --prepare "fresh demo" \
  -n demo "$bin --database $(db demo) demo --defects $rows" \
  --prepare "fresh import && $bin --database $(db import) team add Bench >/dev/null 2>&1" \
  -n import "$bin --database $(db import) import defects $work/rows.csv --team Bench"

jq -r --argjson rows "$rows" '
  (.results | map({(.command): .mean}) | add) as $m
  | "demo loader: \($rows / $m.demo | floor) rows/s (mean \($m.demo * 1000 | floor) ms)",
    "import:      \($rows / $m.import | floor) rows/s (mean \($m.import * 1000 | floor) ms)",
    "ratio import/demo: \(($m.demo / $m.import) * 100 | floor / 100)"' "$work/times.json"

# Peak memory of a 50 MB import.
big_rows=$(( 50 * 1024 * 1024 / 272 ))
write_csv "$big_rows" 160 "$work/big.csv"
fresh big
"$bin" --database "$(db big)" team add Bench >/dev/null 2>&1
if ! /usr/bin/time -f "%M %e" -o "$work/big.time" "$bin" --database "$(db big)" import defects "$work/big.csv" --team Bench >"$work/big.log" 2>&1; then
  tail -n 5 "$work/big.log" >&2
  exit 1
fi
read -r kib seconds < "$work/big.time"
echo "50 MB import: $(stat -c %s "$work/big.csv") bytes, $big_rows rows in ${seconds} s, peak RSS $(( kib / 1024 )) MiB"
if [[ "$kind" == postgres://* ]]; then
  for name in demo import big; do psql "$kind/postgres" -qc "DROP DATABASE IF EXISTS bench_import_$name" >/dev/null; done
fi
