#!/usr/bin/env bash
# Session 19, call 8: the slice kernel's GPU tests, then graph times at T = 4096 / 16384 and
# H = 4096 (benchmarks/mhc_slice_trial.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "slice" 2>&1 | tail -4
for args in "8192 7168" "4096 7168" "16384 7168" "8192 4096"; do
  timeout 90 python3 benchmarks/mhc_slice_trial.py 2 $args base slice@stages=6,fin_t=2 slice@stages=6,fin_t=1 2>&1 | grep -v -i warn | grep -v "float64 reference\|bf16 steps\|coefficient"
done
