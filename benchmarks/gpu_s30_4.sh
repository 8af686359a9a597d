#!/usr/bin/env bash
# Session 30, call 4: phases of the one-program-per-row compaction (benchmarks/topk_compact_probe.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/topk_compact_probe.py 2>&1 | grep -v -i warn
