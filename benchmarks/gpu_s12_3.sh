#!/usr/bin/env bash
# Session 12, call 3: v21 (the v3 finish on warp-emit tiles at every k) and v21_a (also an
# adaptive finish select) against v20: the every-config GPU test of the new configs, then the
# issue's cases (graph / do_bench us) twice, in opposite orders.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/smi.txt"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py -k "v21" > "$OUT/t_cfg.txt" 2>&1
tail -c 600 "$OUT/t_cfg.txt"
timeout 250 python3 -m opdispatch.benchmarks.topk_tune --configs v20,v21,v21_a --shapes 4096x4096x512,4096x32768x512 2>&1 | grep -v -i warn | tee "$OUT/tune1.txt"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v21_a,v21,v20 --cases 0,1,3,4 2>&1 | grep -v -i warn | tee "$OUT/tune2.txt"
