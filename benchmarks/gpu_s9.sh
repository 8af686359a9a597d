#!/usr/bin/env bash
# Session-3 last GPU call: the top-k sweep with the default config (v5) for docs/benchmarks.md
# (table + plot), the rope/RMSNorm public calls with the new rope tile, the group-quant and
# SiLU-mul cases (decode included), then the top-k cuda tier with the final default. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 170 python3 -m opdispatch.benchmarks.topk_tune --sweep --cases 0 --configs v5 \
    --out "$OUT/sweep" 2>&1 | grep -viE "warn" | tee "$OUT/sweep.txt"
B="python3 -m opdispatch bench"
F="^wrote|^env|warn"
timeout 60 $B fused_inv_rope_fp8_quant fused_mtp_input_rmsnorm --label T=8192 --no-compile --out /tmp/b1 2>&1 \
    | grep -viE "$F" | tee "$OUT/fused.txt"
timeout 150 $B per_token_group_quant_fp8 silu_mul_per_token_group_quant_fp8 --out /tmp/b2 2>&1 \
    | grep -viE "$F" | tee "$OUT/quant.txt"
timeout 260 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk > "$OUT/t_topk.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_topk.txt" | tail -12; tail -c 300 "$OUT/t_topk.txt"
