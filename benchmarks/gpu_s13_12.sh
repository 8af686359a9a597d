#!/usr/bin/env bash
# Session 13, call 12: the mHC cuda tier on the new T >= 4096 default, all but the fused tests
# (those run in call 13).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 570 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc/test_mhc_cuda.py -k "not fused_post_pre_equals" > "$OUT/t_mhc1.txt" 2>&1
tail -c 1500 "$OUT/t_mhc1.txt"
