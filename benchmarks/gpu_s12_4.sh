#!/usr/bin/env bash
# Session 12, call 4: after _lanes_2d's alignment hint (2-D select tiles laid out as designed:
# one element per thread along axis 0, axis 1 inside each thread), v20 / v21 / v21_a again:
# the every-config GPU test of v20 and v21*, the cases twice in opposite orders.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/smi.txt"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py -k "v20 or v21 or v18 or v16" > "$OUT/t_cfg.txt" 2>&1
tail -c 600 "$OUT/t_cfg.txt"
timeout 250 python3 -m opdispatch.benchmarks.topk_tune --configs v20,v21,v21_a --shapes 4096x4096x512,4096x32768x512,512x4096x2048 2>&1 | grep -v -i warn | tee "$OUT/tune1.txt"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v21_a,v21,v20 --cases 0,1,3,4 2>&1 | grep -v -i warn | tee "$OUT/tune2.txt"
