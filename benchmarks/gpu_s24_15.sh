#!/usr/bin/env bash
# Session 24, call 15: v33 with the lean compaction only in slices of >= 4 tiles, against v29
# and v32 (graph us, 7 alternations): two-tile slices (64x32768), four-tile slices
# (64x65536), the split-path cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 250 python3 benchmarks/topk_config_ab.py 7 v29 v32 v33 -- 64x32768x512 64x32768x1024 64x65536x512 64x65536x2048 64x131072x2048d 64x131072x512d 8x131072x2048d 512x131072x2048 2>&1 | grep -v -i warn | grep -v "^check.*ok"
