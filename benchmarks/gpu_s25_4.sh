#!/usr/bin/env bash
# Session 25, call 4: where the slice path's eager time goes: host time per call, back-to-back,
# do_bench and graph for hc_head (Triton kernel against the 32-token slice config), cProfile
# of the slice calls (benchmarks/mhc_host_probe.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/mhc_host_probe.py 4096 8192 2>&1 | grep -v -i warn | head -150
