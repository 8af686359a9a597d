#!/usr/bin/env bash
# Session-3 second GPU call: the top-k cuda tier with `sample` as the default (alone, the new
# segment sizing), the indexer configs (new multi-row MQA configs: correctness, then the config
# sweep), the rope-quant tile/launch-order peers, then the top-k sweep of `sample`. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
timeout 280 $PT -p benchmarks.pytest_topk_sample tests/topk > "$OUT/t_topk_sample.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_topk_sample.txt" | tail -12
timeout 60 $PT tests/indexer -k "every_config" > "$OUT/t_idx_cfg.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_idx_cfg.txt" | tail -12
B="python3 -m opdispatch bench"
F="^wrote|^env|warn"
timeout 80 $B fp8_mqa_logits --tag sweep --label "S=1024" --no-compile --out "$OUT/bmqa" 2>&1 \
    | grep -viE "$F" | tee "$OUT/mqa_sweep.txt"
timeout 50 $B fused_inv_rope_fp8_quant --label T=8192 --no-compile --out "$OUT/brope" 2>&1 \
    | grep -viE "$F" | tee "$OUT/rope.txt"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --sweep --configs sample --cases 0 \
    --out "$OUT/sweep" 2>&1 | grep -viE "warn" | tee "$OUT/sweep.txt"
