#!/usr/bin/env bash
# Builds every cargo-fuzz target with the nightly toolchain and runs each for a short while
# (O2O_FUZZ_SECONDS, default 15) starting from the checked-in inputs in fuzz/regressions/<target>/.
# A crash fails the script and leaves the input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../../fuzz"
secs="${O2O_FUZZ_SECONDS:-15}"
targets=$(cargo +nightly fuzz list)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in $targets; do
  mkdir -p "corpus/$t" "regressions/$t"
  echo "== fuzz $t (${secs}s)"
  if ! cargo +nightly fuzz run "$t" "corpus/$t" "regressions/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    # The panic message, libFuzzer's summary and the crashing input (base64), without the
    # backtrace's frames, so that a CI log alone is enough to reproduce the crash.
    grep -E "panicked at|^[^ ].*[a-z]|ERROR|SUMMARY|Test unit written|Base64" "$log" \
      | grep -vE "^(INFO|#[0-9]|stack backtrace|note:| +[0-9]+:| +at )" | tail -n 40
    echo "fuzz-smoke: $t crashed; reproduce with: cargo +nightly fuzz run $t fuzz/artifacts/$t/<file>"
    exit 1
  fi
  tail -n 3 "$log"
done
echo "fuzz-smoke: $(echo "$targets" | wc -w) targets ran without a crash"
