#!/usr/bin/env bash
# Session 19, call 1: the slice-resident Gluon mhc_pre / hc_head (mhc_gluon.py) against the
# Triton default: float64 checks, then graph times (benchmarks/mhc_slice_trial.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
python3 -c "import torch, triton; print(torch.__version__, triton.__version__)"
timeout 200 python3 benchmarks/mhc_slice_trial.py 3 8192 7168 base slice slice@stages=6 slice@fin_t=2 2>&1 | grep -v -i warn
timeout 120 python3 benchmarks/mhc_slice_trial.py 3 4100 4096 base slice 2>&1 | grep -v -i warn
