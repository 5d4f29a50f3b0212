#!/usr/bin/env bash
# Builds Yihu and loads demo data. Until the desktop app lands, "running Yihu" means the
# `yihu` command line over your local database. Installs what is missing on Debian/Ubuntu.
# Usage: ./run.sh   (YIHU_DB=/path/to/file.db ./run.sh for another database)
set -euo pipefail
cd "$(dirname "$0")"
. scripts/build-deps.sh

cargo build --release --locked
yihu=./target/release/yihu
db_args=()
[ -n "${YIHU_DB:-}" ] && db_args=(--db "$YIHU_DB")

echo "Loading demo data (1,000 households and the article's two) ..."
if out=$("$yihu" "${db_args[@]}" demo --households 1000 --seed 1 2>&1); then
  echo "$out"
else
  if echo "$out" | grep -q demo.not_empty; then
    echo "The database already holds data; demo data is only loaded into an empty one."
  else
    echo "$out" >&2
    exit 1
  fi
fi

cat <<'TXT'

Yihu is ready. Try (staff ids are printed above under "article_staff"):
  ./target/release/yihu commands
  ./target/release/yihu call followup.caseworker '{}' --as <caseworker id>
  ./target/release/yihu call household.list '{"q":"wxl"}' --as <caseworker id>
  ./target/release/yihu call plan.review_queue '{}' --as <supervisor id>
  ./target/release/yihu check
TXT
