#!/usr/bin/env bash
# Session 9, call 2: v17 (adaptive two-level register selects: the bits all lanes share at
# once, search steps only while the bucket holds > 64 keys) and its variants against v15/v16,
# on the cases and more register / v12 shapes; v17 through the cuda tier's
# every-config test. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
S=4096x4096x512,512x4096x2048,64x4096x2048,4096x32768x512,2048x16384x512,4096x8192x256
timeout 330 python3 -m opdispatch.benchmarks.topk_tune --configs v15,v17 --extra \
  --only-extra v17_r0,v17_2d,v17_s32,v17_s128 --shapes $S 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py -k "v17" > "$OUT/t_cuda.txt" 2>&1
tail -c 400 "$OUT/t_cuda.txt"
