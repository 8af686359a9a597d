#!/usr/bin/env bash
# Session 28, call 5: v36 (v33 + the warp compaction in v12's one launch where its select has
# <= 2048 lanes) against v33 (graph us, 5 alternations), v36 with 1024-column tiles (failed in
# call 3 before the in-loop layout check); the top-k GPU tests with v36 as the default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 260 python3 benchmarks/topk_fused_trial.py 5 v33 v36 v36_r80 v36_b1k -- 4096x32768x512 2048x16384x512 4096x8192x256 4096x16384x512 1024x32768x512 512x32768x512 4096x32768x2048 4096x32768x1024 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
timeout 300 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "(every_tuning_config and (v36 or v33 or v12)) or kinds_ragged or decode or offsets" -p no:cacheprovider -x 2>&1 | tail -4
