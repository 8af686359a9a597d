#!/usr/bin/env bash
# Session 27, call 1: norm_weight in the slice kernel (mhc_gluon.py NORM). The trial at T = 8192
# (correctness against float64 and the Triton kernel, then graph times: the Triton kernel with
# the norm, the slice kernel without and with it, lags, the fused op), then the new GPU tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 230 python3 benchmarks/mhc_norm_trial.py 3 8192 7168 triton plain slice "slice@norm_lag=2,norm_fin_lag=1" "slice@norm_lag=6,norm_fin_lag=3" "slice@diag=3" fused-pp fused 2>&1 | grep -v -i warn
timeout 330 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "norm and slice" 2>&1 | tail -4
