#!/usr/bin/env bash
# Session 17, call 5: top-k v23 (register mode at 16 keys a thread and 64 registers where its
# select uses the warp emit) against v22, alternated 7 times on the register-mode shapes and two
# shapes v23 does not change; the top-k GPU tests that run register mode, every tuning config
# (v23 included), CUDA graphs and torch.compile with v23 as the default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 200 python3 benchmarks/topk_config_ab.py 7 v22 v23 -- 4096x4096x2048 4096x4096x512 \
  512x4096x2048 2048x4096x1024 4096x2048x1024 64x131072x2048d 4096x32768x2048 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
timeout 280 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk \
  -k "((4096 or 8192 or graph or compile) and not every_tuning_config) or (every_tuning_config and v23)" > "$OUT/t_topk.txt" 2>&1
tail -c 600 "$OUT/t_topk.txt"
