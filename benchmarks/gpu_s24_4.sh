#!/usr/bin/env bash
# (Ran on the trial code of commit e653e84: its trial configs and the bits-stored compaction
# were removed when v32 became the default; docs/benchmarks.md, session 24.)
# Session 24, call 4: the lean compaction storing keys (lk: the readers unchanged), alone and
# with the next tile first (lkp1), against v29 and v29_p1 (graph us, 5 alternations); the
# timelines without PDL of v29, lean (bits stored) and lk, to see each kernel's own time.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/topk_config_ab.py 5 v29 v29_p1 v29_lk v29_lkp1 -- 64x131072x2048d 64x131072x512d 8x131072x2048d 1x131072x2048d 512x131072x2048 4096x32768x2048 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 120 python3 benchmarks/topk_timeline.py v29_np,v29_lean_np,v29_lk_np 64x131072x2048d 1x131072x2048d 2>&1 | grep -v -i warn
