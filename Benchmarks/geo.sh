#!/usr/bin/env bash
# Geo lookup and load times, release build. Prints numbers; asserts nothing.
#   Benchmarks/geo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product mailatlas-geo-bench >/dev/null
swift build -c release --product mailatlas >/dev/null
bin="$(swift build -c release --show-bin-path)"
"$bin/mailatlas-geo-bench"
echo
echo "whole process, one lookup, from another directory (cold start of the binary, 20 runs):"
cd /tmp
start=$(date +%s%N)
for _ in $(seq 20); do "$bin/mailatlas" geo lookup 39.33.27.49 >/dev/null; done
end=$(date +%s%N)
echo "  $(( (end - start) / 20 / 1000000 )) ms per run"
"$bin/mailatlas" geo lookup 39.33.27.49
echo
echo "streaming: 1,000,000 random IPv4 addresses through geo lookup --json on stdin:"
python3 -c "
import random
random.seed(1)
print('\n'.join('%d.%d.%d.%d' % tuple(random.randrange(256) for _ in range(4)) for _ in range(1000000)))
" > /tmp/mailatlas-geo-bench-ips.txt
start=$(date +%s%N)
"$bin/mailatlas" geo lookup --json < /tmp/mailatlas-geo-bench-ips.txt | wc -l
end=$(date +%s%N)
echo "  $(( (end - start) / 1000000 )) ms"
rm -f /tmp/mailatlas-geo-bench-ips.txt
