#!/usr/bin/env bash
# Session 10, call 3: the indexer's row-chunk size (target_programs 4096 / 8192: less idle time
# in the grid's last wave) with the plain and unrolled loops, graph time and bit equality.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
C="n128_w4_s3 n128_w4_s3_u2 n128_w4_s3_t4k n128_w4_s3_t8k n128_w4_s3_u2_t4k n128_w4_s3_u2_t8k n128_w4_s2_u2_t8k n128_w4_s2_u4_t8k n128_w4_s3"
timeout 200 python3 benchmarks/indexer_overlap_trial.py $C 2>&1 | grep -v -i warn | tee "$OUT/trial.txt"
