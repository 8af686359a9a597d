#!/usr/bin/env bash
# Session 6, eighth call: the top-k cuda tier on the new default (v7), then the rows x cols x k
# sweep under v7 (csv + png to $OUT/sweep) and the table for v5/v6/v7.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk > "$OUT/t_topk.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_topk.txt" | tail -12
timeout 240 python3 -m opdispatch.benchmarks.topk_tune --sweep --cases 0 --configs v7 --out "$OUT/sweep" 2>&1 \
  | grep -v -i warn > "$OUT/sweep.txt"
tail -n 70 "$OUT/sweep.txt"
