#!/usr/bin/env bash
# Session 4, third call: the MQA logits kernel with q prefetched by hand (q_t configs): every
# config's correctness, then the S=1024 sweep; then mhc_pre's finishing tile (fin_t).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
timeout 90 $PT tests/indexer -k "every_config" > "$OUT/t_idx_cfg.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_idx_cfg.txt" | tail -12
B="python3 -m opdispatch bench"
F="^wrote|^env|warn"
timeout 60 $B fp8_mqa_logits --tag sweep --label "_qt" --no-compile --out "$OUT/bq1" 2>&1 | grep -viE "$F" | tee "$OUT/mqa_qt.txt"
timeout 40 $B fp8_mqa_logits --tag sweep --label "cfg=n128_w4_s3" --no-compile --out "$OUT/bq2" 2>&1 | grep -viE "$F" | tee "$OUT/mqa_def.txt"
MHC_DIAG_CONFIGS=flat-sq-cat-s1024-w8-st4,flat-sq-cat-s1024-w8-st4-fin32,flat-sq-cat-s1024-w8-st4-fin64,flat-sq-cat-s1024-w4-st3-fin64,flat-sq-cat-s1024-w4-st3,bt64-bh64-s1024-w4 \
  timeout 150 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/mhc_diag.txt"
