#!/usr/bin/env bash
# Session 24, call 8: v32 (the new default) against v29 on the cases and the split
# path's other shapes (graph us, 7 alternations); v32's kernel timeline at 64x131072.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 330 python3 benchmarks/topk_config_ab.py 7 v29 v32 -- 64x131072x2048d 64x131072x512d 64x131072x1024d 1x131072x2048d 8x131072x2048d 512x131072x2048 4096x32768x2048 4096x4096x2048 8x262144x512 512x32768x2048 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 60 python3 benchmarks/topk_timeline.py v32 64x131072x2048d 512x131072x2048 2>&1 | grep -v -i warn
