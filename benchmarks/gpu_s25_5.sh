#!/usr/bin/env bash
# Session 25, call 5: the new default (mhc_pre and hc_head from T = 4096 at H = 6144-8448: the
# slice kernel, 32-token chunks, 13 stages, fn split in registers). The mHC cuda tier and the
# compile / CUDA-graph suite's mHC cases, then the public ops against torch.compile (graph and
# eager, benchmarks/mhc_graph_times.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 330 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x 2>&1 | tail -3
timeout 150 python3 -m pytest tests/compile_graph -q -x -k "mhc or hc_head" 2>&1 | tail -3
timeout 200 python3 benchmarks/mhc_graph_times.py 4096 8192 2>&1 | grep -v -i warn
