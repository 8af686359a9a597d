#!/usr/bin/env bash
# Session 5, fifth call: the mhc cuda tests the fourth call's time limit cut (and the fn_pre
# bit-identity test), then fn split into a bf16 hi|lo copy first (fn_pre) at T = 8192 (whole
# kernel and GEMM phase) and at T = 1024 to 4096. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q $(cat benchmarks/mhc_s21_ids.txt) > "$OUT/t_mhc_rest.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_mhc_rest.txt" | tail -12
MHC_DIAG_PHASES=0,1 MHC_DIAG_CONFIGS=dflt8192,dflt8192-fnpre,dflt8192-fnpre-w8,dflt8192-fnpre-st4,dflt8192-fnpre-bh128 \
  timeout 150 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag8192.txt"
MHC_DEC_COMPILED=0 MHC_DEC_TRIALS=default,2L-bt64-s256-bh64-ft16-fsc,2L-bt64-s256-bh64-ft16-fsc-pre,2L-bt64-s512-bh64-ft16,2L-bt64-s512-bh64-ft16-fsc-pre,1L-bt64-s512-fsc-pre,1L-bt64-s512-fsc \
  timeout 150 python3 benchmarks/mhc_decode_diag.py 1024 2048 4096 2>&1 | grep -v -i warn | tee "$OUT/dec_pre.txt"
