#!/usr/bin/env bash
# Session 24, call 14: the sweep shapes that read slower under v33 than in session 23's v29
# sweep (one sample each), A/B against v29 and v32 (graph us, 7 alternations).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 7 v29 v32 v33 -- 64x32768x512 64x32768x1024 8x32768x1024 64x32768x2048 8x32768x512 1x32768x512 2>&1 | grep -v -i warn | grep -v "^check.*ok"
