#!/usr/bin/env bash
# Session 19, call 7: slice kernel with self-flagging partial words (no counters, no fences)
# and self-flagging pre words; one process per variant.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 60 python3 benchmarks/mhc_slice_trial.py 2 8192 7168 base slice@fin_t=2 slice@fin_t=1 2>&1 | grep -v -i warn | grep -v "float64 reference"
for v in slice@fin_t=2,diag=3 slice@fin_t=2,stages=6; do
  echo "== $v"
  timeout 45 python3 benchmarks/mhc_slice_trial.py 2 8192 7168 $v 2>&1 | grep -v -i warn | grep -v "float64 reference\|bf16 steps\|coefficient"
done
