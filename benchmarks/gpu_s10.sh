#!/usr/bin/env bash
# Session-3 last GPU call: per-tensor dynamic quant at decode sizes (per-tile maxima instead of
# memset + atomic; one-program tile), mHC pre/head split_h 512 vs 1024 at T = 2048 / 8192; then
# the quant and mhc tiers and the compile/graph tests of both, in parallel. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 90 python3 -m opdispatch bench scaled_fp8_quant --label "x7168" --out /tmp/b1 2>&1 \
    | grep -viE "^wrote|^env|warn" | tee "$OUT/quant.txt"
export MHC_DIAG_CONFIGS=bt64-bh64-s512-w4,bt64-bh64-s1024-w4
for T in 8192 2048; do
  timeout 80 python3 benchmarks/mhc_diag.py $T 2>&1 | grep -viE "warn|softmax|split the|important use|^$" | tee -a "$OUT/mhc.txt"
done
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
( timeout 330 $PT tests/quant > "$OUT/t_quant.txt" 2>&1 ) &
( timeout 330 $PT tests/mhc > "$OUT/t_mhc.txt" 2>&1 ) &
( timeout 330 $PT tests/compile_graph -k "mhc or hc_head or quant" > "$OUT/t_cg.txt" 2>&1 ) &
wait
for f in "$OUT"/t_*.txt; do echo "== $f"; grep -E "^(FAILED|ERROR)|passed|failed|error" "$f" | tail -12; tail -c 200 "$f"; echo; done
