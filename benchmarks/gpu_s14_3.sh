#!/usr/bin/env bash
# Session 14, call 3: the new fp8_mqa_logits default (n128_w4_s2_u2_tma_t2k: q by TMA, 2 stages,
# two rows per iteration, ~2048 programs) against the old one (n128_w4_s3_u2), alternated five
# times on full, offset causal and the 16384 triangle; then the indexer's cuda tier.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 170 python3 benchmarks/indexer_overlap_trial.py --ab n128_w4_s3_u2 n128_w4_s2_u2_tma_t2k 5 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
timeout 400 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer > "$OUT/t_indexer.txt" 2>&1
tail -c 1500 "$OUT/t_indexer.txt"
