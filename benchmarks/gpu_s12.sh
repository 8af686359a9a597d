#!/usr/bin/env bash
# Session 4, first call: the cuda tiers touched by the fp8_math refactor (quant, fused, indexer)
# and mhc (new flat/sq_dot/fn_cat GEMM configs) in parallel, then mhc_diag alone at T=8192.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
for t in quant fused indexer mhc; do ( timeout 240 $PT tests/$t > "$OUT/t_$t.txt" 2>&1 ) & done
wait
for f in "$OUT"/t_*.txt; do echo "== $f"; grep -E "^(FAILED|ERROR)|passed|failed|error" "$f" | tail -12; done
MHC_DIAG_CONFIGS=bt64-bh64-s1024-w4,flat-sq-cat-s1024-w4-st3,flat-sq-cat-s1024-w8-st3,flat-sq-cat-s1024-w8-st4,flat-sq-s1024-w8-st3,flat-s1024-w8-st3,flat-sq-cat-bh128-s1024-w8-st3,flat-sq-cat-s512-w8-st3 MHC_DIAG_PHASES=0,1 timeout 330 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/mhc_diag.txt"
