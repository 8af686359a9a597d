#!/usr/bin/env bash
# Session 16, call 3: consumer rows in pairs (ws_pair: the first row's epilogue pinned under the
# second row's wgmma), plain, 4 consumers and persistent, against the default: checks
# and graph-replay timings, alternated 3 times.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 3 ws_n256_s8_ar_pair ws_n256_s12_ar_pair ws_n256_s8_ar_pair_t1k ws_c4_s8_ar_pair wsp_s8_pair_t2k 2>&1 | grep -v -i warn | tee "$OUT/trial.txt"
