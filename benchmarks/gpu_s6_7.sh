#!/usr/bin/env bash
# Session 6, seventh call (the 2-D register select and finish reverted: the finish ran 4x slower): v6
# against the in-thread rank scans in the v3 compaction (scan2d), tiles 1024-4096.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 400 python3 -m opdispatch.benchmarks.topk_tune --configs v6 --extra \
  --only-extra v6_s2d,v6_s2d2k,v6_s2d4k,v6_s2d2k8 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
