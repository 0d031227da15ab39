# Sourced by benches/write_load.sh and benches/crash.sh: builds the release server and the
# write-load driver (tests/examples/write_load.rs) unless SKIP_BUILD is set, and names them
# BIN and DRIVER. Run from the repository's root.
if [[ -z "${SKIP_BUILD:-}" ]]; then
    cargo build --release -p escapement-web >&2
    cargo build --release -p escapement-tests --example write_load >&2
fi
BIN=${CARGO_TARGET_DIR:-target}/release/escapement
DRIVER=${CARGO_TARGET_DIR:-target}/release/examples/write_load
