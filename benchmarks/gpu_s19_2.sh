#!/usr/bin/env bash
# Session 19, call 2: the slice-resident Gluon kernel, now warp-specialized (GEMM / finisher /
# weighted sum / loader partitions), against the Triton default (benchmarks/mhc_slice_trial.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/mhc_slice_trial.py 3 8192 7168 base slice slice@stages=6 slice@fin_t=2 slice@fin_t=4 2>&1 | grep -v -i warn
timeout 120 python3 benchmarks/mhc_slice_trial.py 3 4100 4096 base slice slice@fin_t=2 2>&1 | grep -v -i warn
