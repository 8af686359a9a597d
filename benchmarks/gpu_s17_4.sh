#!/usr/bin/env bash
# Session 17, call 4: (1) top-k register-mode trials against v22 (keys per thread and register
# caps: the ncu run of call 2 showed 1.74 M spill requests at 80 registers), 4096x4096 k=2048
# and k=512, 512x4096 and 2048x4096; (2) the indexer cuda tier and the compile/graph suite's
# indexer ops with the new default ws_n256_q4_ar_in_ek.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 240 python3 -m opdispatch.benchmarks.topk_tune --configs v22 --extra \
  --only-extra v22_r16,v22_r16_n64,v22_r16_n0,v22_r8_n64,v22_n96,v22_n128 --cases 6 \
  --shapes 4096x4096x512,512x4096x2048,2048x4096x1024 2>&1 | grep -v -i warn | tee "$OUT/topk_reg.txt"
timeout 200 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer > "$OUT/t_indexer.txt" 2>&1
tail -c 400 "$OUT/t_indexer.txt"
timeout 100 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "mqa or indexer" > "$OUT/t_cg.txt" 2>&1
tail -c 300 "$OUT/t_cg.txt"
