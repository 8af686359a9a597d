#!/usr/bin/env bash
# Session 26, call 1: the fused post+pre in the slice kernel (mhc_gluon.py FUSED: a post
# partition turns each loaded chunk into the new residual in shared memory). Its GPU tests,
# then benchmarks/mhc_fused_trial.py at T = 8192 (post then pre, the new default, 13 stages with
# 2 x slots, 16-token chunks) and at 4096 / 16384.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 240 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "slice_fused or more_than_2_31" 2>&1 | tail -4
timeout 150 python3 benchmarks/mhc_fused_trial.py 3 8192 7168 seq default "fused@stages=13,xs=2" "fused@tc=16,stages=26,fin_t=2" 2>&1 | grep -v -i warn
timeout 90 python3 benchmarks/mhc_fused_trial.py 3 4096 7168 seq default 2>&1 | grep -v -i warn
timeout 90 python3 benchmarks/mhc_fused_trial.py 2 16384 7168 seq default 2>&1 | grep -v -i warn
