#!/usr/bin/env bash
# (Ran on trial configs since removed: v33_p2, v33_p3; docs/benchmarks.md, session 24.)
# Session 24, call 17: v33 with PDL modes 2 (the compaction launched once the threshold
# kernel's sample has arrived) and 3 (also an L2 prefetch of its slice while it waits), now that
# 512-row calls have a threshold kernel (graph us, 7 alternations).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 7 v33 v33_p2 v33_p3 -- 512x131072x2048 512x131072x512 512x65536x512 64x131072x2048d 1x131072x2048d 2>&1 | grep -v -i warn | grep -v "^check.*ok"
