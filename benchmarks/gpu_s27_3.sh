#!/usr/bin/env bash
# Session 27, call 3: the norm's factors moved from the finishers to the weighted-sum partition
# (one CTA a chunk, slice_norm_fin_lag chunks after its weighted sums; rescale slice_norm_lag
# after). The trial at T = 8192 with several lags, then the norm tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 280 python3 benchmarks/mhc_norm_trial.py 3 8192 7168 triton plain slice "slice@norm_fin_lag=0,norm_lag=2" "slice@norm_fin_lag=1,norm_lag=2" "slice@norm_fin_lag=2,norm_lag=4" "slice@norm_fin_lag=1,norm_lag=5" "slice@diag=3" fused-pp fused 2>&1 | grep -v -i warn
timeout 300 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "norm and slice" 2>&1 | grep -v -i warn | tail -25
