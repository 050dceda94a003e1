#!/usr/bin/env bash
# MIME decoding, attachment analysis and link extraction per message, release build: CPU time per stage (best of
# 5) and, when valgrind is installed, instructions per stage (callgrind, one pass; repeatable on a busy machine).
# Prints numbers; asserts nothing.
#   Benchmarks/analysis.sh DIR        (DIR: a Maildir or any tree of messages, e.g. a make_corpus.py maildir)
set -euo pipefail
dir="${1:?usage: Benchmarks/analysis.sh DIR}"
cd "$(dirname "$0")/.."
swift build -c release --product mailatlas-analysis-bench >/dev/null
bin="$(swift build -c release --show-bin-path)/mailatlas-analysis-bench"
"$bin" "$dir" --iterations 5
command -v valgrind >/dev/null || exit 0
# valgrind 3.19 cannot read the DWARF 5 of a release build: count a copy without debug information.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$bin" "$tmp/bench"
strip --strip-debug "$tmp/bench"
valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$tmp/bench" "$dir" --iterations 1 >/dev/null 2>&1
messages="$("$bin" "$dir" --iterations 1 | sed -n 's/.*messages: \([0-9]*\).*/\1/p')"
callgrind_annotate --inclusive=yes "$tmp/out" 2>/dev/null | awk -v n="$messages" '
    /mailatlas_analysis_bench5StageO5parse/ { p = $1 }
    /mailatlas_analysis_bench5StageO11attachments/ { a = $1 }
    /mailatlas_analysis_bench5StageO5links/ { l = $1 }
    END {
        gsub(",", "", p); gsub(",", "", a); gsub(",", "", l)
        printf "instructions per message: parse %d  attachments %d  links %d  total %d\n", p / n, a / n, l / n, (p + a + l) / n
    }'
