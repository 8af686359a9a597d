#!/usr/bin/env bash
# Session 6, fifth call: top-k v6 (wider finish) against v5, and v6 with aligned 16-byte loads
# in the v3 compaction, a 2048 tile, 4-bit radix register selects; per-kernel breakdown of
# 4096x32768 and 512x131072 under v6_al.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 330 python3 -m opdispatch.benchmarks.topk_tune --configs v5,v6 --extra \
  --only-extra v6_al,v6_al2k,v6_2k,v6_sel4,v5_sel4 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
