#!/usr/bin/env bash
# Session 18, call 10 (run as one command line): the public mHC ops' graph times on the final
# default (one-block weighted-sum steps), T = 4096 and 8192, no compiled reference.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
MHC_TIMES_COMPILED=0 timeout 120 python3 benchmarks/mhc_graph_times.py 4096 8192 2>&1 | grep -v -i warn
