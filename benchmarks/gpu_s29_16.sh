#!/usr/bin/env bash
# Session 29, call 16: v42 again with explicit barriers after the cross-warp scan and after the
# stream (is the failure at 512+ rows a shared-memory race?): the debug script at 8 / 512 /
# 4096 rows (ballots and forced scans), then the A/B against v41 and the every-config tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 150 python3 benchmarks/topk_stream_debug.py 2>&1 | grep -v -i warn | head -40
bash benchmarks/gpu_s29_14.sh
