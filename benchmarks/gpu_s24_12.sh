#!/usr/bin/env bash
# Session 24, call 12: v33 (v32 with the per-row threshold kernel for rows of two slices,
# where cols >= 32 k) against v32 on the shapes whose plan changes (graph us, 7 alternations),
# then the GPU tests with v33 as the default: the PDL test (v22 / v32 / v33), the sweep of
# full rows, v33 in the every-config test, ragged kinds.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 240 python3 benchmarks/topk_config_ab.py 7 v32 v33 -- 512x131072x2048 512x131072x512 512x131072x1024 512x65536x2048 512x65536x512 512x32768x1024 512x32768x512 512x16384x512 512x262144x2048 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 330 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "pdl or sweep or v33 or kinds_ragged" -p no:cacheprovider 2>&1 | tail -3
