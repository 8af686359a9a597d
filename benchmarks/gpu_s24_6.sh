#!/usr/bin/env bash
# (Ran on the trial code of commit e653e84: its trial configs and the bits-stored compaction
# were removed when v32 became the default; docs/benchmarks.md, session 24.)
# Session 24, call 6: lr with a barrier between the finish's key loads and their conversion
# (ptxas had interleaved them), and lk with 4096-column compaction tiles (lkb4k), against v29
# and lk (graph us, 5 alternations); the timeline of lr without PDL.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 250 python3 benchmarks/topk_config_ab.py 5 v29 v29_lk v29_lr v29_lkb4k -- 64x131072x2048d 64x131072x512d 8x131072x2048d 1x131072x2048d 512x131072x2048 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 100 python3 benchmarks/topk_timeline.py v29_lr_np 64x131072x2048d 1x131072x2048d 2>&1 | grep -v -i warn
