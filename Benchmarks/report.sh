#!/usr/bin/env bash
# Times `mailatlas report` for one month of a synthetic store of N messages (default 1,000,000).
#   Benchmarks/report.sh [N]
# Builds the release binary, makes the store once (kept in .build/bench-report-N.sqlite), then renders October 2026
# as HTML, JSON and CSV three times each and prints the wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
swift build -c release --product mailatlas >/dev/null
bin=.build/release/mailatlas
store=".build/bench-report-$n.sqlite"
if [ ! -f "$store" ]; then
  empty=$(mktemp -d)
  "$bin" scan "$empty" --db "$store" --quiet
  rmdir "$empty"
  python3 Benchmarks/make-report-store.py "$store" "$n"
fi
out=$(mktemp -d)
for format in html json csv; do
  for run in 1 2 3; do
    target="$out/report.$format"
    [ "$format" = csv ] && target="$out/csv"
    /usr/bin/time -f "$format run $run: %e s wall, %M KB max RSS" \
      "$bin" report --db "$store" --month 2026-10 --format "$format" --out "$target" 2>&1 | grep -v '^wrote'
  done
done
rm -rf "$out"
