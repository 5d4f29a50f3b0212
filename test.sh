#!/usr/bin/env bash
# Runs every test of Yihu: formatting and lints (the whole workspace), the core's unit and
# integration tests (real SQLite files in temporary folders), the UI's checks, lint and unit
# tests, the desktop shell's tests, and the end-to-end tests that drive the release app in
# WebKitGTK (under Xvfb and a private session bus when there is no display). Installs what is
# missing on Debian/Ubuntu. Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"
. scripts/build-deps.sh
export NO_COLOR=1

step() { echo "== $1"; }

step "format"
cargo fmt --all -- --check
step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "core tests"
# The ledger tests read the written .xlsx back with openpyxl as well as calamine.
ensure_apt python3-openpyxl
cargo test --locked -p yihu

step "UI: type check, lint, unit tests"
(cd ui && npm run check --silent && npm run lint --silent && npm test --silent)

# One release build of each binary, reused by the shell's tests and the E2E tests. (The same
# package and feature selection each time, so nothing is rebuilt.)
step "build: UI, desktop app (release), CLI (release)"
(cd ui && npm run build --silent)
cargo build --release --locked -p yihu-desktop --features custom-protocol
cargo build --release --locked -p yihu
step "desktop shell tests"
cargo test --release --locked -p yihu-desktop --features custom-protocol

step "end-to-end tests"
ensure_apt xvfb xauth webkit2gtk-driver dbus-x11 xdotool
if ! cargo install --list | grep '^tauri-driver v2\.1\.0:' >/dev/null; then
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
cargo test --release --locked -p yihu-e2e --no-run
if [ -n "${DISPLAY:-}" ]; then
  cargo test --release --locked -p yihu-e2e -- --test-threads=1
else
  dbus-run-session -- xvfb-run -a -s "-screen 0 1400x900x24" \
    cargo test --release --locked -p yihu-e2e -- --test-threads=1
fi
echo "screenshots: target/e2e-shots/"
