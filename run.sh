#!/usr/bin/env bash
# Builds and starts Yihu, the desktop app (release build, the UI embedded). Installs what is
# missing on Debian/Ubuntu. On first start with an empty database the app offers to start
# empty or to load demo data.
# Usage: ./run.sh            (YIHU_DB=/path/to/file.db ./run.sh for another database)
#
# The same database from the command line (the `yihu` CLI, built with
# `cargo build --release -p yihu`; staff ids from `yihu call session.candidates '{}'`):
#   ./target/release/yihu demo --households 1000     # demo data into an empty database
#   ./target/release/yihu commands
#   ./target/release/yihu call followup.caseworker '{}' --as <caseworker id>
#   ./target/release/yihu call household.list '{"q":"wxl"}' --as <caseworker id>
#   ./target/release/yihu call plan.review_queue '{}' --as <supervisor id>
#   ./target/release/yihu check
set -euo pipefail
cd "$(dirname "$0")"
. scripts/build-deps.sh

echo "== building the UI"
(cd ui && npm run build --silent)
echo "== building the desktop app (release; about 9 minutes the first time)"
cargo build --release --locked -p yihu-desktop --features custom-protocol

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "Built target/release/yihu-desktop, but there is no desktop session here (DISPLAY is not set)." >&2
  echo "Run it from a desktop session, or headless: xvfb-run -a ./target/release/yihu-desktop" >&2
  exit 1
fi
echo "== starting Yihu (database: ${YIHU_DB:-the OS data folder})"
exec ./target/release/yihu-desktop
