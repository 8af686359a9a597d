#!/usr/bin/env bash
# Session 22, call 8: the cases, v26 against v29 (the new default), 7 alternations.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 420 python3 benchmarks/topk_config_ab.py 7 v26 v29 -- 4096x4096x2048 4096x4096x512 512x131072x2048 64x131072x2048d 64x131072x512d 1x131072x2048d 8x131072x2048d 4096x32768x2048 2>&1 | grep -v -i warn
