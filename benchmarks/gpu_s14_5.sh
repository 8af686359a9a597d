#!/usr/bin/env bash
# Session 14, call 5: fp8_paged_mqa_logits with the query rows and weights hoisted out of the tile
# loop (hoist_q, *_hq configs) against the default, alternated; then the paged cuda tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 300 python3 benchmarks/indexer_paged_ab.py 5 n128_t4_w4_s2 n128_t4_w4_s2_hq n128_t8_w4_s2_hq n128_t8_w4_s3_hq n128_t16_w4_s3_hq n256_t4_w8_s2_hq 2>&1 | grep -v -i warn | tee "$OUT/paged_ab.txt"
timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer/test_cuda.py -k "paged" > "$OUT/t_paged.txt" 2>&1
tail -c 600 "$OUT/t_paged.txt"
