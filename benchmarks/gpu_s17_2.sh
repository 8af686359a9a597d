#!/usr/bin/env bash
# Session 17, call 2: (1) where fp8_mqa_logits' offset-causal case loses against the full one
# (benchmarks/indexer_window_probe.py: equal-work rectangles, the masked path everywhere),
# default and session 16's default; (2) Nsight Compute on top-k's register kernel at 4096 x 4096,
# k = 2048 (the case furthest from its target: 122 us against 60).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 200 python3 benchmarks/indexer_window_probe.py 5 ws_n256_q4_ar_in ws_n256_q4_ar 2>&1 | grep -v -i warn | tee "$OUT/probe.txt"
python3 benchmarks/topk_ncu.py 4096 4096 2048 > /dev/null 2>&1   # compile outside ncu
timeout 300 ncu --clock-control none -k regex:topk_register --launch-skip 1 --launch-count 1 \
  --section SchedulerStats --section WarpStateStats --section Occupancy --section LaunchStats \
  --section InstructionStats --section SpeedOfLight --section MemoryWorkloadAnalysis \
  python3 benchmarks/topk_ncu.py 4096 4096 2048 > "$OUT/ncu_topk.txt" 2>&1
echo "rc $?"
grep -v "^==PROF==" "$OUT/ncu_topk.txt" | tail -c 9000
