#!/usr/bin/env bash
# Session 32: where the few-row decode time goes under v46 (kernel timeline under graph replay)
# and the v3 finish's phases (%clock64) for the current select and trial layouts.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv,noheader
timeout 200 python3 benchmarks/topk_timeline.py v46 1x131072x2048d 1x131072x512d 8x131072x2048d 64x131072x2048d 2>&1 | grep -v -i warn
timeout 300 python3 benchmarks/topk_finish_phases.py 2>&1 | grep -v -i warn
