#!/usr/bin/env bash
# Session 31: the rows x cols x k sweep (and the cases) under v46, the default since
# session 30 (the last sweep ran under v44), against torch.topk in the same run; CSV and plot
# to $OUT/sweep.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}
mkdir -p $OUT/sweep
timeout 500 python3 -m opdispatch.benchmarks.topk_tune --configs v46 --sweep --out $OUT/sweep 2>&1 | grep -v -i warn | tail -72
