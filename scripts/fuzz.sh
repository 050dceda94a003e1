#!/usr/bin/env bash
# Builds one libFuzzer target and runs it for a fixed time.
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]
#   scripts/fuzz.sh list
#
# TARGET is one of the harnesses in Tests/FuzzHarness/FuzzHarness.swift (header, received, mbox, mime, decoders,
# message, gzip, urls, zip, decompress). The package in Fuzz/ is built in release mode with -sanitize=fuzzer,address into
# .build-fuzz/ (FUZZ_NO_BUILD=1 skips the build). The corpus grows in .build-fuzz/corpus/TARGET between runs,
# seeded once by scripts/fuzz-seeds.py from ../shared/corpus and the project's examples; crashes are written to
# .build-fuzz/artifacts/TARGET/. A crash makes the script fail: minimize it
#   .build-fuzz/release/fuzz-TARGET -minimize_crash=1 -runs=20000 CRASH
# fix it, and keep the input as Tests/AdversarialTests/Fixtures/fuzz/TARGET/<what-it-broke>, which the tests replay.
#
# Prints libFuzzer's final statistics and a summary line: target, seconds, executions, coverage (edges, features).
set -euo pipefail
cd "$(dirname "$0")/.."
targets="header received mbox mime decoders message gzip urls zip decompress"
if [ "${1:-}" = list ]; then echo "$targets"; exit 0; fi
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer options]}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer options]}
shift 2
case " $targets " in *" $target "*) ;; *) echo "unknown target $target (one of: $targets)" >&2; exit 64 ;; esac

build=.build-fuzz
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  # SwiftPM's `--sanitize fuzzer --sanitize address` hands swiftc two -sanitize flags and the last one wins (in
  # whatever order SwiftPM writes them), leaving either no coverage or no AddressSanitizer; a single list given
  # with -Xswiftc comes last. `--sanitize fuzzer` stays: it is what tells SwiftPM to leave `main` to libFuzzer.
  (cd Fuzz && swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --scratch-path "../$build" \
    --product "fuzz-$target" >&2)
fi
bin=$build/release/fuzz-$target

case $target in
  received) max_len=16384 ;;
  header | decoders | gzip | urls | decompress) max_len=65536 ;;
  zip) max_len=262144 ;;
  mbox) max_len=131072 ;;
  *) max_len=262144 ;;
esac

corpus=$build/corpus/$target
seeds=$build/seeds/$target
artifacts=$build/artifacts/$target
mkdir -p "$corpus" "$artifacts"
[ -d "$seeds" ] || python3 scripts/fuzz-seeds.py "$target" "$seeds"

log=$build/fuzz-$target.log
set +e
# Swift's own crash reporter would catch a trap first and then trip AddressSanitizer while it reads memory
# ("unknown-crash ... memserver_read"), hiding the trap; with it off, libFuzzer reports the signal and the stack.
SWIFT_BACKTRACE=enable=no "$bin" "$corpus" "$seeds" -max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=2560 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 -detect_leaks=0 "$@" 2>"$log"
status=$?
set -e
grep -E "^(stat::|==[0-9]+==ERROR|SUMMARY|ERROR|Test unit written|artifact_prefix)" "$log" >&2 || true
# The last status line says the coverage reached: "#N ... cov: E ft: F corp: C/S ...".
last=$(grep -E "^#[0-9]+" "$log" | tail -1 || true)
execs=$(grep -E "^stat::number_of_executed_units" "$log" | awk '{print $2}')
edges=$(echo "$last" | sed -nE 's/.*cov: ([0-9]+).*/\1/p')
features=$(echo "$last" | sed -nE 's/.*ft: ([0-9]+).*/\1/p')
units=$(ls "$corpus" | wc -l)
if [ "$status" -ne 0 ]; then
  # The stack libFuzzer printed, and the input itself (base64), so a crash seen only in CI's log can be replayed:
  #   base64 -d > crash <<< '...'; .build-fuzz/release/fuzz-TARGET crash
  grep -E "^    #[0-9]+ " "$log" | head -40 >&2 || true
  for crash in $(grep -oE "Test unit written to [^ ]+" "$log" | awk '{print $5}'); do
    if [ -f "$crash" ] && [ "$(stat -c %s "$crash")" -le 65536 ]; then
      echo "input $crash (base64):" >&2
      base64 -w 0 "$crash" >&2
      echo >&2
    fi
  done
fi
echo "fuzz $target: ${seconds}s, ${execs:-?} executions, cov ${edges:-?} edges, ft ${features:-?} features, corpus $units, exit $status"
exit $status
