#!/usr/bin/env bash
# Session 18, call 6: the mHC GPU tests on the new T >= 4096 default (cut by the timeout in call
# 5); weighted-sum and finisher variants on it (mhc_src_trial, 3 alternations, bit for bit); the
# new default's GEMM phase and weighted-sum phase timed apart (mhc_diag DIAG 1 / 2).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 130 python3 benchmarks/mhc_src_trial.py 3 8192 base ws_straight ws_straight@ws_t=8 \
  base@fin_par=16,fin_t=4,fin_s=64 base@fin_par=4,fin_t=16,fin_s=16 base@num_stages=4 2>&1 \
  | grep -v -i warn | tee "$OUT/src_trial.txt"
MHC_DIAG_PHASES=0,1,2 MHC_DIAG_CONFIGS=own-s256-fp8-ef-st3-ws16-cs timeout 60 python3 benchmarks/mhc_diag.py 8192 2>&1 \
  | grep -v -i warn | tee "$OUT/diag_phases.txt"
timeout 330 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc/test_mhc_cuda.py \
  -k "default_config_from_t8192 or (modes and (flat-dot or own-spin1)) or fused or fn_pre" > "$OUT/t_mhc.txt" 2>&1
tail -c 800 "$OUT/t_mhc.txt"
