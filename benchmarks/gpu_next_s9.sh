#!/usr/bin/env bash
# Prepared at the end of session 8 (not run yet): where top-k's time goes under v15.
# 1. ncu of the one-launch kernel (topk_sample_rows_kernel, 64 registers: how much the cap
#    spills, its stalls) and of the few-row path's kernels (1x131072: threshold, compaction,
#    finish), through opdispatch.benchmarks.topk_ncu (decode / prefill as the issue names).
# 2. Per-kernel GPU time of the issue's cases (benchmarks/kernel_breakdown.py: the decode cases
#    run the decode op, as the registered benchmark cases do).
# Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
S="--metrics regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis"
timeout 200 $NCU $S --kernel-name regex:topk --launch-skip 3 --launch-count 1 \
  python3 -m opdispatch.benchmarks.topk_ncu 4096 32768 2048 prefill > "$OUT/ncu_4096x32768.txt" 2>&1
timeout 150 $NCU $S --kernel-name regex:topk --launch-skip 4 --launch-count 4 \
  python3 -m opdispatch.benchmarks.topk_ncu 1 131072 2048 decode > "$OUT/ncu_1x131072.txt" 2>&1
grep -E "topk_.*\(|Duration|DRAM Throughput|Registers Per|Local Memory Spilling|Achieved Occupancy" "$OUT"/ncu_*.txt | cut -c1-160
for c in "top_k_per_row_decode|64x131072" "top_k_per_row_decode|1x131072" "top_k_per_row_decode|8x131072" \
         "top_k_per_row_decode|512x131072" "top_k_per_row_prefill|4096x32768" "top_k_per_row_prefill|4096x4096"; do
  IFS='|' read -r op label <<< "$c"
  timeout 100 python3 benchmarks/kernel_breakdown.py "$op" "$label" --iters 30 --top 8 2>&1 | grep -v -E "USDT|warn"
done | tee "$OUT/breakdown.txt"
