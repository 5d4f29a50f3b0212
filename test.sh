#!/usr/bin/env bash
# Runs every test of Yihu: formatting and lints, the core's unit and integration tests
# (real SQLite files in temporary folders), and the CLI tests. Installs what is missing
# on Debian/Ubuntu. Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"
. scripts/build-deps.sh

echo "== format"
cargo fmt --all -- --check
echo "== lints"
cargo clippy --all-targets --locked -- -D warnings
echo "== tests"
cargo test --locked
