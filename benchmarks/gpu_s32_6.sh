#!/usr/bin/env bash
# Session 32: v46 against v48 on rows that are not normal (the tail fit is a normal's): rows
# smoothed over 16 columns, and weighted sums of 16 ReLUs (skewed, as the indexer's logits);
# then the compile / CUDA-graph suite's top-k cases under v48.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
for d in relu smooth; do
  echo "== data $d"
  timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v46,v48 --data $d --cases 0,1,3,4,5 --shapes 4096x32768x2048,2048x65536x1024 2>&1 | grep -v -i warn
done
timeout 120 python3 -m pytest -q -m cuda tests/compile_graph -k "top_k" -p no:cacheprovider 2>&1 | tail -1
