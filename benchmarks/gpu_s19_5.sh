#!/usr/bin/env bash
# Session 19, call 5: where the slice kernel's time goes: diag 3 (cycles per partition phase),
# diag 1 (weighted sums wait for the partials, no finishers), one process per variant.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
for v in slice@fin_t=2,diag=3 slice@fin_t=2,diag=1 slice@tc=128,stages=3,fin_t=2,diag=3; do
  echo "== $v"
  timeout 45 python3 benchmarks/mhc_slice_trial.py 2 8192 7168 $v 2>&1 | grep -v -i warn | grep -v "float64 reference\|bf16 steps"
done
