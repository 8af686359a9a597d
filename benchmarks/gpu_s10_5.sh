#!/usr/bin/env bash
# Session 10, call 5: the v3 finish's phases (load / k-th key search / emit, in SM cycles) for
# the decode shapes' candidate segments, under several select variants. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 benchmarks/topk_finish_phases.py 2>&1 | grep -v -i warn | tee "$OUT/phases.txt"
