#!/usr/bin/env bash
# (Ran on the trial code of commit e653e84: its trial configs and the bits-stored compaction
# were removed when v32 became the default; docs/benchmarks.md, session 24.)
# Session 24, call 2: the split path's compaction, trials against v29 (graph us, 5
# alternations): the next tile loaded first (p1), also the first tile before the PDL wait (p2),
# 4096-column tiles (b4k), 4 warps (w4), p2 at 4 warps (p2w4); then the timeline of the best.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/topk_config_ab.py 5 v29 v29_p1 v29_p2 v29_b4k v29_w4 v29_p2w4 -- 64x131072x2048d 64x131072x512d 8x131072x2048d 1x131072x2048d 512x131072x2048 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 100 python3 benchmarks/topk_timeline.py v29_p1,v29_p2,v29_p2w4 64x131072x2048d 2>&1 | grep -v -i warn
