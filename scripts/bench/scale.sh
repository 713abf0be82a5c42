#!/usr/bin/env bash
# End-to-end figures at retail scale: the commands an analyst runs, on the simulator's raw exports
# (docs/performance.md, "End to end"). Builds the release CLI, writes the exports of CUSTOMERS
# simulated customers, ingests every file with its map into a fresh store, then runs attribute
# and report from that store, resolve --store, and attribute and report again on the stored
# resolution, printing each command's wall time, CPU time (user +
# system: what a machine shared with other jobs does not inflate) and peak memory (GNU time's
# maximum resident set size) against the targets: 30 s and 2 GB per command at 1,000,000
# customers (about 13 M events).
#
# Usage: scripts/bench/scale.sh [CUSTOMERS] [WORKDIR]     (defaults: 1000000, a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/../.."
O2O_ROOT=$PWD
source scripts/ci/tools.sh     # o2o_target_dir

customers=${1:-1000000}
work=${2:-$(mktemp -d)}
mkdir -p "$work"
[[ -x /usr/bin/time ]] || { echo "scale: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1; }

cargo build --release -p o2o-cli --quiet
target_dir="$(o2o_target_dir)"
o2o="$target_dir/release/o2o"

printf '%-34s %10s %12s %12s\n' command seconds "CPU seconds" "peak MB"
measure() { # $1 = label, rest = command
  local label=$1; shift
  local log="$work/time.log"
  /usr/bin/time -f '%e %U %S %M' -o "$log" "$@" > "$work/out.txt" 2> "$work/err.txt" ||
    { echo "scale: $label failed:" >&2; tail -n 5 "$work/err.txt" >&2; exit 1; }
  read -r secs user sys kb < "$log"
  printf '%-34s %10.1f %12.1f %12.0f\n' "$label" "$secs" "$(awk "BEGIN { print $user + $sys }")" "$((kb / 1024))"
}

ex="$work/exports" store="$work/store"
rm -rf "$ex" "$store"
measure "simulate --exports ($customers)" "$o2o" simulate --customers "$customers" --exports "$ex"
# The files and their maps, as the simulator lists them in planted.json.
pairs=$(python3 -c 'import json,sys; [print(f["map"], f["file"]) for f in json.load(open(sys.argv[1]))["files"]]' "$ex/planted.json")
start=$(date +%s%N) peak=0 cpu=0
while read -r map file; do
  measure "  ingest $file" "$o2o" ingest --store "$store" --map "$ex/$map" "$ex/$file" --max-rejected 50
  read -r _ user sys kb < "$work/time.log"
  ((kb > peak)) && peak=$kb
  cpu=$(awk "BEGIN { print $cpu + $user + $sys }")
done <<< "$pairs"
ms=$((($(date +%s%N) - start) / 1000000))
printf '%-34s %10s %12.1f %12.0f\n' "ingest (all files)" "$((ms / 1000)).$((ms % 1000 / 100))" "$cpu" "$((peak / 1024))"
# Without a stored resolution each command resolves the people; `resolve --store` stores it and
# the same commands then read it.
measure "attribute --store (last touch)" "$o2o" attribute --store "$store" --model last
measure "report --store" "$o2o" report --store "$store" --currency USD --rates "$ex/rates.csv"
measure "resolve --store" "$o2o" resolve --store "$store"
measure "attribute --store, stored resolution" "$o2o" attribute --store "$store" --model last
measure "report --store, stored resolution" "$o2o" report --store "$store" --currency USD --rates "$ex/rates.csv"
echo "store: $(du -sh "$store" | cut -f1) in $store; exports: $(du -sh "$ex" | cut -f1)"
