#!/usr/bin/env bash
# Session 14, call 6: fp8_paged_mqa_logits default candidates (hoisted q; 16 tiles per program
# unless the grid would fall below 512 programs) against the default, incl. small batches.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 400 python3 benchmarks/indexer_paged_ab.py 5 n128_t4_w4_s2 n128_t16_w4_s3_hq_p512 n128_t4_w4_s2_hq n128_t16_w4_s3_hq 2>&1 | grep -v -i warn | tee "$OUT/paged_ab.txt"
