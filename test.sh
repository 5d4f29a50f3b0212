#!/usr/bin/env bash
# Runs every test of Yihu, in stages, and says how long each took. Installs what is missing on
# Debian/Ubuntu.
#
#   ./test.sh                 every stage below but the two CI extras
#   ./test.sh e2e             one stage (or several: ./test.sh core shell); the build is brought
#                             up to date first, which costs seconds when nothing changed
#   ./test.sh all             every stage, with the CI extras (what .ci/run runs)
#   YIHU_TEST_TODAY=2028-02-29 ./test.sh core shell e2e
#                             the tests run with the clock set to that day (libfaketime; the
#                             build and the package installs keep the real clock)
#
# Stages:
#   deps     Debian packages, the UI's npm packages, tauri-driver, the crates (cargo fetch)
#   format   cargo fmt --check
#   ui       the UI: svelte-check, eslint, vitest, then the production bundle (ui/dist)
#   build    ONE cargo build of the whole workspace, every target (app, CLI, tests, benchmarks),
#            release profile, with clippy as the compiler of Yihu's own crates (-D warnings): the
#            lints and the compile share one pass, and the tests, the app the E2E tests drive and
#            the CLI all come from it (nothing is compiled twice)
#   core     the core's unit and integration tests (real SQLite files in temporary folders)
#   shell    the desktop shell's tests
#   e2e      the end-to-end tests: the release app in WebKitGTK through tauri-driver (under Xvfb
#            and a private session bus when there is no display)
#   demo     (CI extra) a 2,000-household demo and an encrypted one pass `yihu check`
#   measure  (CI extra) desktop figures: start, memory and search on 100,000 households
set -uo pipefail
cd "$(dirname "$0")"
export NO_COLOR=1 CARGO_TERM_COLOR=never
export PATH="$HOME/.cargo/bin:$PATH"

DEFAULT=(format ui build core shell e2e)
ALL=(format ui build core shell e2e demo measure)
KNOWN=" deps format ui build core shell e2e demo measure "

if [ $# -eq 0 ]; then
  stages=(deps "${DEFAULT[@]}")
elif [ "$1" = all ] && [ $# -eq 1 ]; then
  stages=(deps "${ALL[@]}")
else
  stages=(deps)
  for s in "$@"; do
    case "$KNOWN" in
      *" $s "*) ;;
      *) echo "unknown stage '$s'; the stages are:$KNOWN(or 'all')" >&2; exit 2 ;;
    esac
    case "$s" in
      core | shell | e2e | demo | measure) stages+=(build "$s") ;;
      deps) ;;
      *) stages+=("$s") ;;
    esac
  done
fi

target="${CARGO_TARGET_DIR:-target}"
tests_list="$target/release/yihu-test-binaries.tsv"
# Every cargo build of this script: one package selection, one feature set, one profile and the
# same compiler wrapper, so a later stage never rebuilds what an earlier one built.
CARGO_BUILD=(cargo build --release --locked --workspace --all-targets --features yihu-desktop/custom-protocol)

# The clock the tests see: real, or the day in YIHU_TEST_TODAY: 09:00 local time when this
# script started, then running, the same clock for every process (an offset from the real one;
# monotonic clocks, which time-outs use, are left alone).
clock=()
if [ -n "${YIHU_TEST_TODAY:-}" ]; then
  if ! fake_start=$(date -d "$YIHU_TEST_TODAY 09:00:00" +%s 2>/dev/null); then
    echo "YIHU_TEST_TODAY must be a date (YYYY-MM-DD), not '$YIHU_TEST_TODAY'" >&2
    exit 2
  fi
  clock=(faketime -m --exclude-monotonic -f "$(printf '%+d' $(( fake_start - $(date +%s) )))")
  echo "tests run with the clock at $(date -d "@$fake_start" '+%F %T %Z')"
fi

# ------------------------------------------------------------------------------------- stages

stage_deps() {
  . scripts/build-deps.sh
  # The ledger tests read the written .xlsx back with openpyxl as well as calamine; the E2E
  # tests need a virtual display, a session bus, WebKit's WebDriver and xdotool; faketime sets
  # the clock for YIHU_TEST_TODAY.
  ensure_apt python3-openpyxl xvfb xauth webkit2gtk-driver dbus-x11 xdotool faketime
  if ! command -v clippy-driver >/dev/null 2>&1 || ! cargo fmt --version >/dev/null 2>&1; then
    rustup component add clippy rustfmt
  fi
  if ! cargo install --list | grep -q '^tauri-driver v2\.1\.0:'; then
    echo "installing tauri-driver 2.1.0"
    cargo install tauri-driver --version 2.1.0 --locked --quiet
  fi
  cargo fetch --locked --quiet
}

stage_format() {
  cargo fmt --all -- --check
}

# The bundle is rebuilt only when a UI source is newer than it: a rebuilt bundle makes cargo
# recompile the desktop shell, which embeds it.
ui_bundle() {
  if [ -f ui/dist/index.html ] && [ -z "$(find ui/src ui/index.html ui/vite.config.ts \
    ui/svelte.config.js ui/tsconfig.json ui/package-lock.json -newer ui/dist/index.html -print -quit)" ]; then
    echo "ui/dist is up to date"
    return 0
  fi
  (cd ui && npm run build --silent)
}

stage_ui() {
  (cd ui && npm run check --silent && npm run lint --silent && "${clock[@]}" npm test --silent)
  ui_bundle
}

stage_build() {
  ui_bundle
  local driver
  driver="$(command -v clippy-driver)" || { echo "clippy-driver is missing: rustup component add clippy" >&2; return 1; }
  mkdir -p "$target/release"
  # clippy-driver is rustc plus clippy's lints: as the workspace's compiler it lints and
  # compiles Yihu's crates in one pass (dependencies are compiled by plain rustc, unlinted).
  # CLIPPY_ARGS is how `cargo clippy` hands it its arguments (the same -D warnings as before).
  RUSTC_WORKSPACE_WRAPPER="$driver" CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
    "${CARGO_BUILD[@]}" --message-format=json-render-diagnostics >"$target/release/yihu-build.json"
  # Which test executables this build made, for the stages that run them (package folder,
  # target kind, name, path).
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
    const path = require("path");
    for (const l of lines) {
      if (!l.startsWith("{")) continue;
      const m = JSON.parse(l);
      if (m.reason !== "compiler-artifact" || !m.profile.test || !m.executable) continue;
      if (m.target.kind.includes("bench")) continue;
      console.log([path.dirname(m.manifest_path), m.target.kind[0], m.target.name, m.executable].join("\t"));
    }' "$target/release/yihu-build.json" | sort >"$tests_list"
  echo "built: $(wc -l <"$tests_list") test executables, the app, the CLI and the benchmarks"
}

# What the test executables run inside (stage e2e and measure: a display).
runner=()

# Run the test executables of the package in folder $1 (".", "src-tauri", "e2e") from that
# folder, as cargo test would, with the arguments after it.
run_tests() {
  local want found=0 pkg kind name exe
  want="$(cd "$1" && pwd)"
  shift
  while IFS=$'\t' read -r pkg kind name exe; do
    [ "$pkg" = "$want" ] || continue
    found=1
    echo "-- $kind $name"
    (cd "$pkg" && "${runner[@]}" "${clock[@]}" "$exe" "$@") || return 1
  done <"$tests_list"
  [ "$found" = 1 ] || { echo "no test executables for $want in $tests_list" >&2; return 1; }
}

stage_core() {
  run_tests .
}

stage_shell() {
  run_tests src-tauri
}

# Run a command on a display: the desktop's, else a virtual one with its own session bus.
on_display() {
  if [ -n "${DISPLAY:-}" ]; then
    "$@"
  else
    dbus-run-session -- xvfb-run -a -s "-screen 0 1400x900x24" "$@"
  fi
}

stage_e2e() {
  runner=(on_display)
  run_tests e2e --test-threads=1
  echo "screenshots: $target/e2e-shots/"
}

stage_demo() {
  local yihu="$target/release/yihu" dir
  dir="$(mktemp -d)"
  "${clock[@]}" "$yihu" --db "$dir/ci.db" demo --households 2000 --seed 7 --today 2026-11-28 >/dev/null
  "${clock[@]}" "$yihu" --db "$dir/ci.db" check
  "${clock[@]}" "$yihu" --db "$dir/ci-encrypted.db" demo --households 200 --seed 7 --today 2026-11-28 --encrypt >/dev/null
  YIHU_PASSPHRASE=yihu-demo "${clock[@]}" "$yihu" --db "$dir/ci-encrypted.db" check
  rm -rf "$dir"
}

stage_measure() {
  local exe
  exe="$(awk -F'\t' '$3 == "measure" { print $4 }' "$tests_list")"
  [ -n "$exe" ] || { echo "the measure test was not built" >&2; return 1; }
  (cd e2e && on_display "${clock[@]}" "$exe" --ignored --nocapture 2>&1) | grep -E '^\[|test result'
}

# ------------------------------------------------------------------------------------- runner

declare -A done_stage=()
summary=()
started=$(date +%s)

print_summary() {
  echo
  echo "== summary"
  local line
  for line in "${summary[@]}"; do echo "$line"; done
  echo "total: $(( $(date +%s) - started )) s"
}

for s in "${stages[@]}"; do
  [ -n "${done_stage[$s]:-}" ] && continue
  done_stage[$s]=1
  echo "== $s"
  t0=$(date +%s)
  ( set -euo pipefail; "stage_$s" )
  rc=$?
  took=$(( $(date +%s) - t0 ))
  if [ $rc -ne 0 ]; then
    summary+=("$(printf '%-8s %5d s  FAILED' "$s" "$took")")
    print_summary
    echo "stage '$s' failed (exit $rc). Rerun only it with: ./test.sh $s"
    exit 1
  fi
  summary+=("$(printf '%-8s %5d s  ok' "$s" "$took")")
  echo "== $s: ${took} s"
done
print_summary
