#!/usr/bin/env bash
# Session 24, call 11: rows of two slices (512x131072) with the per-row threshold kernel and
# PDL (v32_ms1) instead of each slice's program sampling the row itself (graph us, 7
# alternations), and the kernel timeline of both.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 7 v32 v32_ms1 -- 512x131072x2048 512x131072x512 256x131072x2048 512x65536x1024 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 60 python3 benchmarks/topk_timeline.py v32,v32_ms1 512x131072x2048 2>&1 | grep -v -i warn
