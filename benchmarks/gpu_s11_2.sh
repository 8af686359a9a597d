#!/usr/bin/env bash
# Session 11, call 2: top-k's warp-ballot emit, one ballot per element, lane numbers rebuilt at the stores (v20, v20_w) against v19 on the cases
# (graph time), and the every-config GPU test of the new configs. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/smi.txt"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py -k "v20" > "$OUT/t_cfg.txt" 2>&1
tail -c 600 "$OUT/t_cfg.txt"
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v19,v20,v20_w,v20_r96 --shapes 4096x4096x512,512x4096x2048,4096x32768x512 2>&1 | grep -v -i warn | tee "$OUT/tune1.txt"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v20,v19 2>&1 | grep -v -i warn | tee "$OUT/tune2.txt"
