#!/usr/bin/env bash
# Session-3 check after the NaN/inf changes of the rope quant and the indexer k cache: the fused
# and indexer cuda tiers in parallel, then the rope quant timing alone. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
( timeout 200 $PT tests/fused > "$OUT/t_fused.txt" 2>&1 ) &
( timeout 200 $PT tests/indexer > "$OUT/t_indexer.txt" 2>&1 ) &
wait
for f in "$OUT"/t_*.txt; do echo "== $f"; grep -E "^(FAILED|ERROR)|passed|failed|error" "$f" | tail -12; done
timeout 60 python3 -m opdispatch bench fused_inv_rope_fp8_quant --label T=8192 --no-compile --out /tmp/b1 2>&1 \
    | grep -viE "^wrote|^env|warn" | cut -c1-200 | tee "$OUT/rope.txt"
