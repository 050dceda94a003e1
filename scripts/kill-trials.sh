#!/usr/bin/env bash
# kill -9 trials: scan a spool, kill the scan at a random moment, rerun to completion, and compare the store with an
# uninterrupted scan (same messages by content hash and location, nothing duplicated, nothing lost).
#
#   scripts/kill-trials.sh [SPOOL] [TRIALS] [MAILATLAS]
#   defaults: ../shared/corpus, 20, .build/release/mailatlas (built if missing)
#   COMMIT_EVERY=N passes --commit-every N to the killed scans (more commits to be killed between)
set -euo pipefail
cd "$(dirname "$0")/.."
spool=${1:-../shared/corpus}
trials=${2:-20}
bin=${3:-.build/release/mailatlas}
[ -x "$bin" ] || swift build -c release --product mailatlas >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

snapshot() {
  "$bin" sql --db "$1" --format tsv \
    "SELECT sha256, source_path, source_index, folder, verdict FROM messages WHERE removed_scan_id IS NULL ORDER BY 1, 2, 3"
}

start=$(python3 -c "import time; print(time.time())")
"$bin" scan "$spool" --db "$work/clean.sqlite" --quiet
clean_seconds=$(python3 -c "import time; print(round(time.time() - $start, 3))")
snapshot "$work/clean.sqlite" > "$work/clean.tsv"
echo "clean scan: $(($(wc -l < "$work/clean.tsv") - 1)) messages in ${clean_seconds}s"

pass=0
for i in $(seq 1 "$trials"); do
  db="$work/trial-$i.sqlite"
  # A random moment within the clean scan's duration.
  delay=$(python3 -c "import random; print(round(random.uniform(0.01, $clean_seconds), 3))")
  "$bin" scan "$spool" --db "$db" --quiet ${COMMIT_EVERY:+--commit-every "$COMMIT_EVERY"} & pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  before=$("$bin" sql --db "$db" --format tsv "SELECT count(*) FROM messages" 2>/dev/null | tail -1 || echo 0)
  "$bin" scan "$spool" --db "$db" --quiet
  snapshot "$db" > "$work/trial.tsv"
  if cmp -s "$work/clean.tsv" "$work/trial.tsv"; then
    pass=$((pass + 1)); verdict=same
  else
    verdict=DIFFERENT
  fi
  echo "trial $i: killed after ${delay}s with ${before:-0} messages committed; after rerun: $verdict"
done
echo "$pass/$trials trials equal to the uninterrupted scan"
[ "$pass" -eq "$trials" ]
