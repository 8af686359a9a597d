#!/usr/bin/env bash
# Session 32: v49 (v48 with the v3 finish's loads issued together) against v46 and v48 on the
# split path's decode shapes (graph us, 3 alternations, values checked first), the issue's
# decode cases in topk_tune (its own data), v49's timeline at 1x131072, its GPU tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 3 v46 v48 v49 -- 1x131072x2048d 1x131072x512d 8x131072x2048d 64x131072x2048d 64x131072x512d 512x131072x2048d 8x131072x1024d 2>&1 | grep -v -i warn | grep -v "^check"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v46,v48,v49 --cases 0,1,3,4,5 2>&1 | grep -v -i warn
timeout 60 python3 benchmarks/topk_timeline.py v48,v49 1x131072x2048d 2>&1 | grep -v -i warn
timeout 90 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v49" -p no:cacheprovider 2>&1 | tail -1
