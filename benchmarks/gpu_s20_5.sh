#!/usr/bin/env bash
# Session 20, call 5: the shares kernel with the masked path's cost in its share table (a slot
# whose rows do not all hold the tile: 21 units against 16); ws_pin reverted (no gain, call 3).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 -m pytest tests/indexer/test_cuda.py -m cuda -q -x -k "shares" 2>&1 | tail -2
timeout 330 python3 benchmarks/indexer_window_probe.py 5 ws_n256_q4_ar_in_ek ws_n256_q4_ar_in_p1 ws_n256_q3_ar_in_p1 ws_n256_q4_ar_in_p1_r256
