#!/usr/bin/env bash
# Session 16, call 5 (run twice: the second with the diagnostic wgmma-only loop fixed so that its
# wgmmas are not dead code): where ws_n256_s12_ar_pair's time goes (benchmarks/indexer_ws_diag.py:
# as is, without the epilogue, without the wgmmas), 7 alternations.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 300 python3 benchmarks/indexer_ws_diag.py 7 ws_n256_s12_ar_pair 2>&1 | grep -v -i warn | tee "$OUT/diag.txt"
