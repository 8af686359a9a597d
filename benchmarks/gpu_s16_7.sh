#!/usr/bin/env bash
# Session 16, call 7: Nsight Compute on the ws kernel (default ws_n256_s8_ar and the wgmma-free
# diagnostic): scheduler, warp-state, pipe and source-level stall statistics.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
python3 benchmarks/indexer_ws_ncu.py ws_n256_s8_ar > /dev/null 2>&1   # compile outside ncu
timeout 400 ncu --clock-control none -k regex:mqa_logits_ws --launch-skip 1 --launch-count 1 \
  --section SchedulerStats --section WarpStateStats --section ComputeWorkloadAnalysis \
  --section InstructionStats --section SourceCounters --section SpeedOfLight \
  python3 benchmarks/indexer_ws_ncu.py ws_n256_s8_ar ws_n256_s8_ar > "$OUT/ncu.txt" 2>&1
echo "rc $?"
grep -v "^==PROF==" "$OUT/ncu.txt" | tail -c 11000
