#!/usr/bin/env bash
# Session 25, call 2: the transposed slice GEMM (32-token chunks) across shapes and stage counts,
# graph and eager (do_bench) times against the Triton kernel (benchmarks/mhc_slice_trial.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD MHC_TRIAL_EAGER=1
F="grep -v -i warn"
timeout 150 python3 benchmarks/mhc_slice_trial.py 3 8192 7168 base slice@tc=32,stages=11,fin_t=1 \
  slice@tc=32,stages=9,fin_t=1 slice@tc=32,stages=11,fin_t=1,fin_regs=96,ws_regs=96 2>&1 | $F | grep -v "float64 ref\|coefficient"
for args in "4096 7168" "16384 7168" "2048 7168"; do
  timeout 120 python3 benchmarks/mhc_slice_trial.py 2 $args base slice@tc=32,stages=11,fin_t=1 2>&1 | $F | grep -v "float64 ref\|coefficient\|bf16 steps"
done
timeout 120 python3 benchmarks/mhc_slice_trial.py 2 8192 4096 base slice@tc=32,stages=11,fin_t=1 \
  slice@w=32,tc=32,stages=22,fin_t=1 2>&1 | $F | grep -v "float64 ref\|coefficient"
