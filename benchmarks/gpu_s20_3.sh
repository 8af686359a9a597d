#!/usr/bin/env bash
# Session 20, call 3: the window loads pinned at the top of each 4-row slot (ws_pin), in the
# shares kernel (where the compiler had sunk them to the mask) and in the grid kernel.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 -m pytest tests/indexer/test_cuda.py -m cuda -q -x -k "(shares and pin) or (every_config and pin)" 2>&1 | tail -2
timeout 330 python3 benchmarks/indexer_window_probe.py 5 ws_n256_q4_ar_in_ek ws_n256_q4_ar_in_ek_pin ws_n256_q4_ar_in_p1 ws_n256_q4_ar_in_p1_pin ws_n256_q3_ar_in_p1_pin
