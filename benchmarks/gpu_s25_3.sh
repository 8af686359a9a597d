#!/usr/bin/env bash
# Session 25, call 3: fn's slice in the GEMM warpgroup's registers (slice_areg: 13 stages of 32
# tokens) against 11 stages with fn in shared memory. GPU tests of the new configs, then trial
# times (benchmarks/mhc_slice_trial.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD MHC_TRIAL_EAGER=1
F="grep -v -i warn"
timeout 200 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "slice and (areg or t32)" 2>&1 | tail -3
timeout 200 python3 benchmarks/mhc_slice_trial.py 3 8192 7168 base slice@tc=32,stages=11,fin_t=1 \
  slice@tc=32,stages=11,fin_t=1,areg=1 slice@tc=32,stages=12,fin_t=1,areg=1 \
  slice@tc=32,stages=13,fin_t=1,areg=1 slice@tc=32,stages=13,fin_t=2,areg=1 2>&1 | $F | grep -v "float64 ref\|coefficient"
for args in "4096 7168" "16384 7168"; do
  timeout 120 python3 benchmarks/mhc_slice_trial.py 2 $args base slice@tc=32,stages=11,fin_t=1 \
    slice@tc=32,stages=13,fin_t=1,areg=1 2>&1 | $F | grep -v "float64 ref\|coefficient\|bf16 steps"
done
