#!/usr/bin/env bash
# Session 18, call 11 (run as one command line): decode sizes of the public mHC ops after the
# weighted-sum refactor (_ws_block / _norm_rows also serve the two-launch schedule), graph us.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
MHC_TIMES_COMPILED=0 timeout 200 python3 benchmarks/mhc_graph_times.py 1 16 64 1024 2>&1 | grep -v -i warn
