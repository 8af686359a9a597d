#!/usr/bin/env bash
# Session 26, call 3: does the x ring limit the loads in flight? The fused slice kernel at
# T = 8192 with 12 stages / 4, 5 x slots, 11 / 6, 10 / 8, 13 / 2, and DIAG 3 phase times (the
# loader's slot and x-slot waits apart) for 12 / 4 and 10 / 8; the 16-token test config.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 100 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "slice_fused and t16" 2>&1 | tail -2
timeout 300 python3 benchmarks/mhc_fused_trial.py 3 8192 7168 seq default "fused@xs=5" "fused@stages=11,xs=6" "fused@stages=10,xs=8" "fused@stages=13,xs=2" "fused@diag=3" "fused@stages=10,xs=8,diag=3" 2>&1 | grep -v -i warn
