#!/usr/bin/env bash
# Session 8, call 3: ncu of top-k's kernels (stall reasons of the v3 compaction and of the
# finishes) at the shapes, default config v10. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
echo "ncu: $NCU"
S="--metrics regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section SchedulerStats --section MemoryWorkloadAnalysis"
run() {  # label, ncu args..., -- python args
  local label=$1; shift
  echo "=== $label"
  timeout 150 $NCU $S --kernel-name regex:topk --launch-skip 3 --launch-count 3 "$@" 2>&1 | grep -v -E "USDT" | cut -c1-220
}
run "prefill 4096x32768 k=2048" python3 -m opdispatch.benchmarks.topk_ncu 4096 32768 2048 prefill > "$OUT/ncu_4096x32768.txt"
run "decode 64x131072 k=2048" python3 -m opdispatch.benchmarks.topk_ncu 64 131072 2048 decode > "$OUT/ncu_64x131072.txt"
run "decode 1x131072 k=2048" python3 -m opdispatch.benchmarks.topk_ncu 1 131072 2048 decode > "$OUT/ncu_1x131072.txt"
run "prefill 4096x4096 k=2048" python3 -m opdispatch.benchmarks.topk_ncu 4096 4096 2048 prefill > "$OUT/ncu_4096x4096.txt"
wc -l "$OUT"/ncu_*.txt
