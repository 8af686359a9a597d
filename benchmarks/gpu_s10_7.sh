#!/usr/bin/env bash
# Session 10, call 7: fp8_mqa_logits, the default n128_w4_s3 against the unrolled n128_w4_s3_u2,
# alternated 5 times on full, offset causal and the 16384 triangle. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 benchmarks/indexer_overlap_trial.py --ab n128_w4_s3 n128_w4_s3_u2 5 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
timeout 200 python3 benchmarks/indexer_overlap_trial.py --ab n128_w4_s3 n128_w4_s3_u2_t4k 3 2>&1 | grep -v -i warn | tee "$OUT/ab2.txt"
