#!/usr/bin/env bash
# Session 27, call 8: the norm default (lags 3 / 1) through the public ops: the GPU tests with
# norm_weight (the slice kernel's, the public defaults', the fused op's, which keeps post then
# pre with the norm), then the trial at T = 4096 and 16384.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 330 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "(norm and (slice or default or public)) or (fused_post_pre_equals and default and True)" 2>&1 | grep -v -i warn | tail -4
timeout 120 python3 benchmarks/mhc_norm_trial.py 3 4096 7168 triton plain slice fused-pp 2>&1 | grep -v -i warn | tail -5
timeout 140 python3 benchmarks/mhc_norm_trial.py 2 16384 7168 triton plain slice 2>&1 | grep -v -i warn | tail -4
