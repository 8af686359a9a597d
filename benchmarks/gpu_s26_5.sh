#!/usr/bin/env bash
# Session 26, call 5: the fused default (13 stages, 2 x slots): its GPU tests and the > 2^31
# element test (call 4 ran out of time before them), then post then pre against the fused
# default at T = 4096, 8192, 16384 (benchmarks/mhc_fused_trial.py, graph and do_bench).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "slice_fused or 2_31" 2>&1 | tail -3
for t in 4096 8192 16384; do
  MHC_TRIAL_EAGER=1 timeout 110 python3 benchmarks/mhc_fused_trial.py 3 $t 7168 seq default 2>&1 | grep -v -i warn
done
