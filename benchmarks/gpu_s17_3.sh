#!/usr/bin/env bash
# Session 17, call 3: the key tile's copy issued before the row bounds (ws_n256_q4_ar_in_ek)
# checked bit for bit and alternated 7 times with the new default ws_n256_q4_ar_in; the indexer
# cuda tier and the compile/graph suite's indexer ops with ws_n256_q4_ar_in as the default (every
# config, the new ones included, is also checked against the float64 reference by the tier).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 200 python3 benchmarks/indexer_ws_trial.py 7 ws_n256_q4_ar_in_ek 2>&1 | grep -v -i warn | tee "$OUT/ek.txt"
timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer > "$OUT/t_indexer.txt" 2>&1
tail -c 1500 "$OUT/t_indexer.txt"
timeout 120 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "mqa or indexer" > "$OUT/t_cg.txt" 2>&1
tail -c 600 "$OUT/t_cg.txt"
