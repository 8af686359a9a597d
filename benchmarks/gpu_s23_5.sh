#!/usr/bin/env bash
# (Ran on the trial code of commits bcda6e5 / fc0e4ed / a2a7c10, since removed: see
# docs/benchmarks.md, session 23.)
# Session 23, call 5: the fused split path with a register cap (v31_r64) or 8 warps at 128
# registers (v31_w8) against v29 and v31: graph (3 alternations), then eager.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 3 v29 v31 v31_r64 v31_w8 -- 64x131072x2048d 8x131072x2048d 1x131072x2048d 512x131072x2048 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v29,v31_r64,v31_w8 --cases 0,3,4 --shapes 8x32768x512 2>&1 | grep -v -i warn
