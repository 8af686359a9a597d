#!/usr/bin/env bash
# Session 24, call 13: the rows x cols x k sweep under v33 (the default since this session)
# against torch.topk, CSV and plot to $OUT/sweep.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 500 python3 -m opdispatch.benchmarks.topk_tune --configs v33 --sweep --out "$OUT/sweep" 2>&1 | grep -v -i warn | tee "$OUT/sweep.txt" | tail -5
ls -la "$OUT/sweep"
