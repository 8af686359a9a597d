#!/usr/bin/env bash
# Session 9, call 1: v16 (register selects on [threads, lanes/threads] tiles, output ranks by
# in-thread prefix sums) against v15 on the cases and more register / v12 shapes;
# v16 through the cuda tier's every-config test; ncu of v16's one-launch kernel. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
S=4096x4096x512,512x4096x2048,64x4096x2048,4096x32768x512,2048x16384x512,4096x8192x256
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v15,v16 --shapes $S 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py -k "v16" > "$OUT/t_cuda.txt" 2>&1
tail -c 400 "$OUT/t_cuda.txt"
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
M="--section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --metrics regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio"
timeout 120 $NCU $M --kernel-name regex:topk --launch-skip 3 --launch-count 1 \
  python3 -m opdispatch.benchmarks.topk_ncu 4096 32768 2048 prefill v16 > "$OUT/ncu_4096x32768.txt" 2>&1
timeout 100 $NCU $M --kernel-name regex:topk --launch-skip 3 --launch-count 1 \
  python3 -m opdispatch.benchmarks.topk_ncu 4096 4096 2048 prefill v16 > "$OUT/ncu_4096x4096.txt" 2>&1
grep -E "topk_.*\(|Duration|DRAM Throughput|Registers Per|Achieved Occupancy|Compute \(SM\)|stalled_.*(barrier|long_score|short_score|math|wait|lg_thr|mio|no_inst|dispatch|not_selected|selected)" "$OUT"/ncu_*.txt | cut -c1-150
