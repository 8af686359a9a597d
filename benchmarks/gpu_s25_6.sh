#!/usr/bin/env bash
# Session 25, call 6: the slice path's eager time (benchmarks/mhc_eager_probe.py: kernel
# durations under the profiler after an L2 flush, with and without a host sync), then the rest
# of the mHC cuda tier (call 5 stopped it at its 330 s limit, 45% through, no failure).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 150 python3 benchmarks/mhc_eager_probe.py 8192 2>&1 | grep -v -i warn
timeout 130 python3 benchmarks/mhc_eager_probe.py 4096 2>&1 | grep -v -i warn
