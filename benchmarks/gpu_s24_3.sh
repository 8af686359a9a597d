#!/usr/bin/env bash
# (Ran on the trial code of commit e653e84: its trial configs and the bits-stored compaction
# were removed when v32 became the default; docs/benchmarks.md, session 24.)
# Session 24, call 3: the lean compaction (one float compare, the floats' bits stored, full
# tiles unmasked) against v29 and v29_p1, alone (lean), with the next tile first (lp1) and at
# 4 warps (lw4): graph us, 5 alternations; then the timeline of lean and lp1.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 330 python3 benchmarks/topk_config_ab.py 5 v29 v29_p1 v29_lean v29_lp1 v29_lw4 -- 64x131072x2048d 64x131072x512d 8x131072x2048d 1x131072x2048d 512x131072x2048 4096x32768x2048 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 100 python3 benchmarks/topk_timeline.py v29_lean,v29_lp1 64x131072x2048d 2>&1 | grep -v -i warn
