#!/usr/bin/env bash
# Runs every test of Yihu: formatting and lints, the core's unit and integration tests
# (real SQLite files in temporary folders), and the CLI tests. Installs what is missing
# on Debian/Ubuntu. Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "Yihu needs a Rust toolchain >= 1.95 (https://rustup.rs): curl https://sh.rustup.rs -sSf | sh" >&2
  exit 1
fi

echo "== format"
cargo fmt --all -- --check
echo "== lints"
cargo clippy --all-targets --locked -- -D warnings
echo "== tests"
cargo test --locked
