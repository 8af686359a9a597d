#!/usr/bin/env bash
# Session 19, call 4: where the slice kernel's time goes: diag 1 (data movement alone, no
# cross-CTA waits), diag 2 (poll counts of each wait), each in its own process with a timeout
# (a first attempt hung somewhere in this list).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
for v in slice@fin_t=2,diag=1 slice@fin_t=2,diag=2 slice@fin_t=2; do
  echo "== $v"
  timeout 45 python3 benchmarks/mhc_slice_trial.py 2 8192 7168 $v 2>&1 | grep -v -i warn | grep -v "float64 reference"
done
