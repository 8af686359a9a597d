#!/usr/bin/env bash
# Session 27, call 5: the norm's arrival counter relaxed (with acq_rel the call took 1288 us at
# T = 8192). Trial at T = 8192 with lags 1-5, then the norm tests at T = 70 / 4100.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 280 python3 benchmarks/mhc_norm_trial.py 3 8192 7168 triton plain slice "slice@norm_lag=1" "slice@norm_lag=5" "slice@diag=3" fused-pp fused 2>&1 | grep -v -i warn
timeout 200 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "norm and slice and (4100 or 70 or public)" 2>&1 | grep -v -i warn | tail -5

