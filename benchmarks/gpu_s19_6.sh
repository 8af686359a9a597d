#!/usr/bin/env bash
# Session 19, call 6: slice kernel with pre published as self-flagging words (no pre counter,
# one round trip for the weighted sums), no slot-reuse wait, deferred release; one process per
# variant (a hang stays contained).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 60 python3 benchmarks/mhc_slice_trial.py 2 8192 7168 base slice@fin_t=2 2>&1 | grep -v -i warn | grep -v "float64 reference"
for v in slice@fin_t=2,defer=0 slice@fin_t=1 slice@tc=128,stages=3,fin_t=2 slice@fin_t=2,diag=3; do
  echo "== $v"
  timeout 45 python3 benchmarks/mhc_slice_trial.py 2 8192 7168 $v 2>&1 | grep -v -i warn | grep -v "float64 reference\|bf16 steps\|coefficient"
done
