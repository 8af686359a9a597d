#!/usr/bin/env bash
# (Ran on a trial knob since removed: compact_lean=2, the per-thread load address; it lost.)
# Session 24, call 10: v32's lean compaction with its full tiles loaded from one 64-bit address
# per thread plus immediate offsets (v32_a; 217 SASS instructions per tile against 225)
# against v32 (graph us, 7 alternations).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 7 v32 v32_a -- 64x131072x2048d 64x131072x512d 8x131072x2048d 512x131072x2048 8x262144x512 2>&1 | grep -v -i warn | grep -v "^check.*ok"
