#!/usr/bin/env bash
# Session 8, call 13: the sample's robustness. v13 (runs of 4, 4-8 sigma of an independent
# sample) left rows unsettled on shapes of the sweep (torch's CUDA randn: Box-Muller pairs share
# their radius, so neighbours are not independent); against single columns (v13_g1) and runs
# with the margin of SAMPLE / 4 independent values (v13_rv, 2048 / 4096 samples), on random
# and smoothed rows. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
S=512x131072x1024,512x262144x512,4096x131072x1024,512x131072x512,4096x32768x512
for data in randn smooth; do
  timeout 250 python3 -m opdispatch.benchmarks.topk_tune --configs v13 --extra --only-extra v13_g1,v13_rv,v13_rv_s4k \
    --shapes $S --data $data 2>&1 | grep -v -i warn | tee "$OUT/tune_$data.txt"
done
