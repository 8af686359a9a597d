#!/usr/bin/env bash
# Session 6, second call: the mhc cuda tests the first call's time limit cut (lines 91-98 of the
# tier's collection), then mhc_pre at T=8192 under the smaller-work-item l2-* configs.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 230 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q $(cat benchmarks/mhc_s6_ids.txt) > "$OUT/t_mhc_rest.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_mhc_rest.txt" | tail -12
MHC_DIAG_PHASES=0,1 MHC_DIAG_CONFIGS=dflt8192,l2-bt64-s256,l2-bt32-s512,l2-bt32-s256,l2-bt32-s256-lag14,l2-bt32-s256-lag20,l2-bt64-s128 \
  timeout 300 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag_l2.txt"
