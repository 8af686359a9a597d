#!/usr/bin/env bash
# Session 29, call 15: why v42 (the streamed emit at 4 warps a row) selects wrong on the GPU
# while the interpreter's path is right: ballots against forced scans, tile widths.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_stream_debug.py 2>&1 | grep -v -i warn
