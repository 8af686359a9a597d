#!/usr/bin/env bash
# Session 6, sixth call: top-k with [threads, E] tiles (in-thread rank scans) in the register
# mode and the v3 finish (v5/v6 now), and in the v3 compaction (scan2d) at tiles of 1024-4096.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 400 python3 -m opdispatch.benchmarks.topk_tune --configs v5,v6 --extra \
  --only-extra v6_s2d,v6_s2d2k,v6_s2d4k,v6_s2d2k8,v6_sel2 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
