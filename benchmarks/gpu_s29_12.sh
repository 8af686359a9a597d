#!/usr/bin/env bash
# Session 29, call 12: v41 (the default) on the cases and the full rows x cols x k sweep
# against torch.topk (topk_tune, CSV and plot to $OUT), plus the rows of 5-16 k columns.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 520 python3 -m opdispatch.benchmarks.topk_tune --sweep --configs v41 --out "$OUT" --shapes 4096x16384x2048,4096x8192x2048,4096x6144x2048,2048x16384x2048 2>&1 | grep -v -i warn | tail -80
