#!/usr/bin/env bash
# Session 30, calls 4-5: phases of the one-program-per-row compaction (benchmarks/topk_compact_probe.py;
# call 5 adds the sample from L2 (_fake) and persistent grids of P programs per SM; call 6: 16 warps,
# smaller samples, runs of 8).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/topk_compact_probe.py 2>&1 | grep -v -i warn
