#!/usr/bin/env bash
# Session 16, call 9: ws_n256_s8_ar (session 15's default) against ws_n256_q4_ar (slots of 4
# query rows) alternated 7 times; the indexer cuda tier and the compile/graph suite's indexer ops
# with ws_n256_q4_ar as the default (every config, the old default included, is also checked
# against the float64 reference by the tier).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 200 python3 benchmarks/indexer_overlap_trial.py --ab ws_n256_s8_ar ws_n256_q4_ar 7 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer > "$OUT/t_indexer.txt" 2>&1
tail -c 1500 "$OUT/t_indexer.txt"
timeout 140 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "mqa or indexer" > "$OUT/t_cg.txt" 2>&1
tail -c 600 "$OUT/t_cg.txt"
