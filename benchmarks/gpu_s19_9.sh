#!/usr/bin/env bash
# Session 19, call 9: the new hc_head default (slice kernel at T >= 4096, H = 7168) through the
# public ops: the mHC cuda tests of hc_head and the compile / graph suite's mHC ops, then graph
# times against compiled PyTorch at T = 4096 / 8192.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 240 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "hc_head or slice" 2>&1 | tail -3
timeout 150 python3 -m pytest tests/compile_graph -m cuda -q -k "mhc or hc_head" 2>&1 | tail -3
timeout 150 python3 benchmarks/mhc_graph_times.py 4096 8192 2>&1 | grep -v -i warn
