#!/usr/bin/env bash
# Session 26, call 7: the post partition computes a row block's four streams before storing
# any (one barrier instead of four); with and without streaming (.cs) stores of the new
# residual. Fused-slice GPU tests, then the trial at T = 8192 and 4096.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 150 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "slice_fused" 2>&1 | tail -2
timeout 150 python3 benchmarks/mhc_fused_trial.py 3 8192 7168 seq default "fused@post_cs=1" "fused@diag=3" 2>&1 | grep -v -i warn
timeout 100 python3 benchmarks/mhc_fused_trial.py 3 4096 7168 seq default "fused@post_cs=1" 2>&1 | grep -v -i warn
