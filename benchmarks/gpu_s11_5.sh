#!/usr/bin/env bash
# Session 11, call 5: the rows x cols x k sweep of v20 (the new top-k default) against
# torch.topk (csv + png). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 500 python3 -m opdispatch.benchmarks.topk_tune --configs v20 --sweep --out "$OUT/sweep" 2>&1 | grep -v -i warn > "$OUT/sweep.txt"
tail -n 64 "$OUT/sweep.txt"
