#!/usr/bin/env bash
# Session 8, call 4: top-k after the compaction fix (scalar loads in the 2-D tile: the decode
# op's compaction had been vectorised and converted through shared memory, 106 registers);
# the tune now runs the decode op for the decode cases. Trials: the sample threshold from runs
# of 4 / 8 adjacent columns, and kept in L2 (evict_last). Then the same on rows whose
# neighbouring columns are correlated. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 330 python3 -m opdispatch.benchmarks.topk_tune --configs v10 --extra \
  --only-extra v10_g4,v10_g8,v10_ev,v10_g4_ev 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v10 --extra --only-extra v10_g4,v10_g8 \
  --cases 0,2,5 --data smooth 2>&1 | grep -v -i warn | tee "$OUT/tune_smooth.txt"
