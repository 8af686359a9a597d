#!/usr/bin/env bash
# Session 10, call 6: the adaptive select in the v3 finish (v19_fa32 / v19_fa64) against v19 on
# the cases, twice (graph time). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v19 --extra --only-extra v19_fa32,v19_fa64 2>&1 | grep -v -i warn | tee "$OUT/tune1.txt"
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v19 --extra --only-extra v19_fa32,v19_fa64 2>&1 | grep -v -i warn | tee "$OUT/tune2.txt"
