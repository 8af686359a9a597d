#!/usr/bin/env bash
# Session 20, call 4: the masked row path alone (no inner copy) in the shares kernel and in
# the grid kernel, through the window probe.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/indexer_window_probe.py 3 ws_n256_q4_ar ws_n256_q4_ar_p1 ws_n256_q4_ar_in_p1
