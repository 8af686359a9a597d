#!/usr/bin/env bash
# Session 15, call 4: the new fp8_mqa_logits default (ws_n256_s8_ar, the warp-specialized Gluon
# kernel) against the old (n128_w4_s2_u2_tma_t2k) alternated five times; the indexer cuda tier;
# the compile/graph suite's indexer ops.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 200 python3 benchmarks/indexer_overlap_trial.py --ab n128_w4_s2_u2_tma_t2k ws_n256_s8_ar 5 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer > "$OUT/t_indexer.txt" 2>&1
tail -c 1500 "$OUT/t_indexer.txt"
timeout 140 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "mqa or indexer" > "$OUT/t_cg.txt" 2>&1
tail -c 600 "$OUT/t_cg.txt"
