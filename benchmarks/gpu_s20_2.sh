#!/usr/bin/env bash
# Session 20, call 2: the shares kernel with its vectorised share table (no reductions in the
# loop) and 128- / 256-row chunks: tests against the grid kernel, then the window probe.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 -m pytest tests/indexer/test_cuda.py -m cuda -q -x -k "shares" 2>&1 | tail -2
timeout 300 python3 benchmarks/indexer_window_probe.py 5 ws_n256_q4_ar_in_ek ws_n256_q4_ar_in_p1 ws_n256_q4_ar_in_p1_r256 ws_n256_q3_ar_in_p1 ws_n256_q3_ar_in_p1_r256
