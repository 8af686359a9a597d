#!/usr/bin/env bash
# Session 19, call 3: slice kernel with the weighted-sum partition's next poll issued early, and
# 128-token chunks (benchmarks/mhc_slice_trial.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 240 python3 benchmarks/mhc_slice_trial.py 3 8192 7168 base slice@fin_t=2 slice@tc=128,stages=3,fin_t=2 slice@tc=128,stages=3,fin_t=4 2>&1 | grep -v -i warn
