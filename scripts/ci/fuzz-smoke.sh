#!/usr/bin/env bash
# Builds every cargo-fuzz target with the nightly toolchain and runs each for a short while
# (O2O_FUZZ_SECONDS, default 15) starting from the checked-in inputs in fuzz/regressions/<target>/.
# A crash fails the script and leaves the input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../../fuzz"
secs="${O2O_FUZZ_SECONDS:-15}"
targets=$(cargo +nightly fuzz list)
for t in $targets; do
  mkdir -p "corpus/$t" "regressions/$t"
  echo "== fuzz $t (${secs}s)"
  cargo +nightly fuzz run "$t" "corpus/$t" "regressions/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tail -n 3
done
echo "fuzz-smoke: $(echo "$targets" | wc -w) targets ran without a crash"
