#!/usr/bin/env bash
# Session 32: the split path's threshold kernel at 8 and 16 warps (v48_t8, v48_t16) against v48 (graph us,
# 3 alternations, values checked first), its timeline at 1x131072, its every-config tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 3 v48 v48_t8 v48_t16 -- 1x131072x2048d 1x131072x512d 8x131072x2048d 64x131072x2048d 512x131072x2048d 1x262144x1024d 8x131072x1024d 2>&1 | grep -v -i warn | grep -v "^check"
timeout 60 python3 benchmarks/topk_timeline.py v48,v48_t8,v48_t16 1x131072x2048d 2>&1 | grep -v -i warn
timeout 90 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and (v48_t8 or v48_t16)" -p no:cacheprovider 2>&1 | tail -1
