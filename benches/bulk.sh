#!/usr/bin/env bash
# The demo loader against the engine's own ceiling for the same schema and rows, in one run:
#   benches/bulk.sh sqlite
#   benches/bulk.sh postgres://postgres@127.0.0.1:5432
# Builds the release binary (SKIP_BUILD=1 uses the one built), loads `demo --defects ROWS`
# (default 200,000) into a fresh database and reads its rate off the demo's report (defects,
# teams, catalog, roll-up and the demo accounts, before the reviews). Then copies the same
# defect rows into a second fresh database migrated by the same binary (same tables, indexes
# and triggers; its teams, components and releases copied first for the foreign keys). Like
# the loader, the ceiling drops the title search index first and builds it again after the
# rows, and that is timed with it:
#   SQLite      one prepared INSERT run by Python's sqlite3.executemany in one transaction
#               (the statement loop in C), WAL and synchronous=NORMAL as the app opens it;
#               the FTS5 triggers dropped, then the index rebuilt and the triggers made again
#   PostgreSQL  COPY ... FROM STDIN (psql \copy) of the rows written to a CSV file, the
#               trigram index dropped before and created again after
# and prints both rates and their ratio (issue 13's target: at least 0.8). Needs python3 and,
# for PostgreSQL, psql; databases bench_bulk_* are created and dropped on that server.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: benches/bulk.sh sqlite | postgres://user@host:port}"
rows="${ROWS:-200000}"
bin="${BIN:-$PWD/target/release/escapement}"
if [[ -z "${SKIP_BUILD:-}" ]]; then
  cargo build --release -p escapement-web >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The demo's own rate: "Demo loaded: … N defects in S s (R defects/s)."
demo_rate() { # database-url
  "$bin" --database "$1" demo --defects "$rows" 2>/dev/null |
    sed -n 's/^Demo loaded: .* \([0-9]*\) defects in \([0-9.]*\) s.*/\1 \2/p'
}

case "$kind" in
  sqlite)
    read -r n seconds < <(demo_rate "sqlite://$work/demo.db")
    "$bin" --database "sqlite://$work/ceiling.db" migrate >/dev/null 2>&1
    ceiling_seconds=$(python3 - "$work/demo.db" "$work/ceiling.db" <<'PY'
import sqlite3, sys, time
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2], isolation_level=None)
dst.execute("PRAGMA journal_mode=WAL")
dst.execute("PRAGMA synchronous=NORMAL")
dst.execute("PRAGMA foreign_keys=ON")
def columns(table):
    return [c[1] for c in src.execute(f"PRAGMA table_info({table})")]
def insert(table):
    cols = columns(table)
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", cols
dst.execute("BEGIN")
for parent in ("teams", "components", "releases"):
    sql, cols = insert(parent)
    dst.executemany(sql, src.execute(f"SELECT {', '.join(cols)} FROM {parent}"))
dst.execute("COMMIT")
sql, cols = insert("defects")
rows = src.execute(f"SELECT {', '.join(cols)} FROM defects").fetchall()
triggers = dst.execute(
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'defects_fts_%'"
).fetchall()
started = time.perf_counter()
dst.execute("BEGIN")
for name, _ in triggers:
    dst.execute(f'DROP TRIGGER "{name}"')
dst.executemany(sql, rows)
dst.execute("INSERT INTO defects_fts(defects_fts) VALUES ('rebuild')")
for _, trigger in triggers:
    dst.execute(trigger)
dst.execute("COMMIT")
print(f"{time.perf_counter() - started:.3f}")
PY
)
    ;;
  postgres://*)
    fresh() { psql "$kind/postgres" -qc "DROP DATABASE IF EXISTS bench_bulk_$1" -c "CREATE DATABASE bench_bulk_$1" >/dev/null; }
    trap 'rm -rf "$work"; for d in demo ceiling; do psql "$kind/postgres" -qc "DROP DATABASE IF EXISTS bench_bulk_$d" >/dev/null 2>&1 || true; done' EXIT
    fresh demo
    fresh ceiling
    read -r n seconds < <(demo_rate "$kind/bench_bulk_demo")
    "$bin" --database "$kind/bench_bulk_ceiling" migrate >/dev/null 2>&1
    for table in teams components releases defects; do
      psql -q "$kind/bench_bulk_demo" -c "\\copy (SELECT * FROM $table) TO '$work/$table.csv' CSV"
    done
    for parent in teams components releases; do
      psql -q "$kind/bench_bulk_ceiling" -c "\\copy $parent FROM '$work/$parent.csv' CSV"
    done
    index=$(psql -qAt "$kind/bench_bulk_ceiling" -c "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_defects_title_trgm'")
    started=$(date +%s.%N)
    psql -q "$kind/bench_bulk_ceiling" -c "DROP INDEX ix_defects_title_trgm"
    psql -q "$kind/bench_bulk_ceiling" -c "\\copy defects FROM '$work/defects.csv' CSV"
    psql -q "$kind/bench_bulk_ceiling" -c "$index"
    ceiling_seconds=$(echo "$(date +%s.%N) - $started" | bc -l)
    ;;
  *) echo "unknown database kind: $kind" >&2; exit 2 ;;
esac

awk -v n="$n" -v s="$seconds" -v c="$ceiling_seconds" -v kind="${kind%%:*}" 'BEGIN {
  loader = n / s; ceiling = n / c; ratio = loader / ceiling;
  printf "%-10s %9s %14s %14s %7s  %s\n", "database", "defects", "loader rows/s", "ceiling rows/s", "ratio", "target";
  printf "%-10s %9d %14.0f %14.0f %7.2f  %s\n", kind, n, loader, ceiling, ratio, (ratio >= 0.8 ? "ok (>= 0.8x)" : "MISSED (>= 0.8x)");
}'
