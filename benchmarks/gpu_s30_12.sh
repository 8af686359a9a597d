#!/usr/bin/env bash
# Session 30, call 12: the cases under v44 (topk_tune, graph / eager, torch.topk in the
# same run) and the rows x cols x k sweep under v44.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
mkdir -p $OUT/sweep
timeout 500 python3 -m opdispatch.benchmarks.topk_tune --configs v44 --sweep --out $OUT/sweep 2>&1 | grep -v -i warn | tail -70
