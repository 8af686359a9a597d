#!/usr/bin/env bash
# Session 29, call 8: v40 (the new default) against v36 (the old) on the changed shapes and the
# issue's cases (graph us, 3 alternations); the every-config tests of v40 / v39; the issue's
# cases and the sweep's 4096-column part under v40 (topk_tune, CSV to $OUT).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 200 python3 benchmarks/topk_config_ab.py 3 v36 v40 -- 4096x4096x2048 4096x4096x1024 2048x4096x2048 512x4096x2048 4096x1024x256 1024x1024x512 4096x2048x128 64x131072x2048d 4096x32768x2048 2>&1 | grep -v -i warn
timeout 100 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and (v40 or v39)" -p no:cacheprovider 2>&1 | tail -2
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --sweep --configs v40 --max-cols 4096 --out "$OUT" 2>&1 | grep -v -i warn | tail -40
