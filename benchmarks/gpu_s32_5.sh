#!/usr/bin/env bash
# Session 32: the rows x cols x k sweep (and the cases) under v48, the new default,
# against torch.topk in the same run; CSV and plot to $OUT/sweep.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}
mkdir -p $OUT/sweep
timeout 560 python3 -m opdispatch.benchmarks.topk_tune --configs v48 --sweep --out $OUT/sweep 2>&1 | grep -v -i warn | tail -75
