#!/usr/bin/env bash
# Session 9, call 6: v19 (the new default) against v15 (session 8's) on the issue's cases,
# then the rows x cols x k sweep of v19 against torch.topk (csv + png). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v15,v19 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 420 python3 -m opdispatch.benchmarks.topk_tune --configs v19 --sweep --out "$OUT/sweep" 2>&1 | grep -v -i warn > "$OUT/sweep.txt"
tail -n 64 "$OUT/sweep.txt"
