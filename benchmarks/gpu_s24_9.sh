#!/usr/bin/env bash
# (Ran on trial knobs since removed (finish_wide_rows, threshold_warps): both lost or tied;
# docs/benchmarks.md, session 24.)
# Session 24, call 9: few-row decode trials on v32: the finish at up to 32 warps for calls of
# at most 8 rows (fw8), the threshold kernel at 8 warps (t8), both (graph us, 7 alternations);
# the timeline of the best at 1x131072.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 7 v32 v32_fw8 v32_t8 v32_fw8_t8 -- 1x131072x2048d 8x131072x2048d 1x131072x512d 8x262144x2048 64x131072x2048d 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 60 python3 benchmarks/topk_timeline.py v32,v32_fw8_t8 1x131072x2048d 8x131072x2048d 2>&1 | grep -v -i warn
