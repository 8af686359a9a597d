#!/usr/bin/env bash
# Session 27, call 2: the failing norm test's message; the norm lags near the stages (the
# finishers run about STAGES chunks ahead of the weighted sums).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 100 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "test_slice_kernel_norm and lags-4-2-slice-t32-s11-f2-1-7168" 2>&1 | grep -v -i warn | tail -30
timeout 300 python3 benchmarks/mhc_norm_trial.py 3 8192 7168 plain "slice@norm_lag=4,norm_fin_lag=13" "slice@norm_lag=4,norm_fin_lag=14" "slice@norm_lag=6,norm_fin_lag=15" "slice@norm_lag=2,norm_fin_lag=13" "slice@norm_lag=4,norm_fin_lag=14,diag=3" 2>&1 | grep -v -i warn
