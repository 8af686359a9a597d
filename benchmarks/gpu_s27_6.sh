#!/usr/bin/env bash
# Session 27, call 6: NORM with no L2 round trip on the weighted sums' path (the rounded tiles
# held in registers until their rescale, the arrival count read a chunk later, the factors
# read a chunk ahead; call 5 took 1081 us). Trial at T = 8192 with lags 1-3, then the norm tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 280 python3 benchmarks/mhc_norm_trial.py 3 8192 7168 triton plain slice "slice@norm_lag=1" "slice@norm_lag=2" "slice@diag=3" fused-pp fused 2>&1 | grep -v -i warn
timeout 250 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "norm and slice" 2>&1 | grep -v -i warn | tail -5
