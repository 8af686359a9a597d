#!/usr/bin/env bash
# Session 21, call 2: register mode's phases (load / search adaptive or interpolating / emit)
# at 16 keys a thread (v23's 8 warps, with and without its 64-register cap) and 32-128.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 250 python3 benchmarks/topk_reg_phases.py 4096 4096 2048 2>&1 | grep -v -i warn
timeout 150 python3 benchmarks/topk_reg_phases.py 4096 4096 1024 2>&1 | grep -v -i warn | grep "full\|search"
