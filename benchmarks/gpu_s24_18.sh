#!/usr/bin/env bash
# (Trial knob finish_maxnreg, removed unless adopted: docs/benchmarks.md, session 24.)
# Session 24, call 18: the v3 finish capped at 64 registers (two 16-warp programs per SM, 128
# bytes of stack) or 80, against v33 (graph us, 7 alternations): the 512-row finish tail.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 7 v33 v33_fm64 v33_fm80 -- 512x131072x2048 512x131072x512 512x65536x2048 64x131072x2048d 1x131072x2048d 2>&1 | grep -v -i warn | grep -v "^check.*ok"
