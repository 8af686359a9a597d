#!/usr/bin/env bash
# Session 16, call 2: the persistent ws kernel (wsp_*: one CTA per SM walking the work items,
# next item's keys and rows prefetched) against the default ws_n256_s8_ar: bit-identity checks
# and graph-replay timings, alternated 3 times.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 3 wsp_s8 wsp_s8_t1k wsp_s8_t2k wsp_s12_t1k 2>&1 | grep -v -i warn | tee "$OUT/trial.txt"
