#!/usr/bin/env bash
# Session 27, call 4: the norm's factors by the CTA that arrives last at a chunk (an arrival
# counter), rescale slice_norm_lag chunks later. Trial at T = 8192 with lags 0-5, then the
# norm tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 280 python3 benchmarks/mhc_norm_trial.py 3 8192 7168 triton plain slice "slice@norm_lag=0" "slice@norm_lag=1" "slice@norm_lag=5" "slice@diag=3" fused-pp fused 2>&1 | grep -v -i warn
timeout 300 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "norm and slice" 2>&1 | grep -v -i warn | tail -25
