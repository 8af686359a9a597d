#!/usr/bin/env bash
# Session 25, call 1: the slice kernel's transposed GEMM (tokens as wgmma's N: 32- and 16-token
# chunks, more stages). GPU tests of the slice kernel, then trial times at T=8192, H=7168 against
# the Triton kernel and the 64-token default (benchmarks/mhc_slice_trial.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,clocks.sm --format=csv,noheader
timeout 240 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "slice" 2>&1 | tail -4
timeout 200 python3 benchmarks/mhc_slice_trial.py 2 8192 7168 base slice@stages=6,fin_t=2 \
  slice@tc=32,stages=11,fin_t=2 slice@tc=32,stages=11,fin_t=1 slice@tc=16,stages=23,fin_t=2 \
  slice@tc=16,stages=23,fin_t=1 slice@tc=32,stages=11,fin_t=2,diag=3 2>&1 | grep -v -i warn
