#!/usr/bin/env bash
# (Ran on the trial code of commits bcda6e5 / fc0e4ed / a2a7c10, since removed: see
# docs/benchmarks.md, session 23.)
# Session 23, call 4: v31 (the split path in one launch: topk_sample_split_fused_kernel) and
# v31_b (v31 + v30's finish emit): the top-k cuda tests of the split shapes with v31 as the
# default; graph and eager (do_bench, host launch cost included) against v29 on the split
# shapes; then 5 alternated graph runs.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
TOPK_TEST_CONFIG=v31 timeout 220 python3 -m pytest -m cuda -p no:cacheprovider -p benchmarks.pytest_topk_sample -rfE --tb=short -q tests/topk -k "kinds_ragged or decode or graph or pdl or v31" 2>&1 | tail -4
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v29,v31,v31_b --cases 0,1,3,4,5 --shapes 8x32768x512,1x32768x2048,64x32768x1024,8x262144x512,64x262144x512 2>&1 | grep -v -i warn
timeout 160 python3 benchmarks/topk_config_ab.py 5 v29 v31 v31_b -- 64x131072x2048d 64x131072x512d 1x131072x2048d 8x131072x2048d 512x131072x2048 2>&1 | grep -v -i warn | grep -v "^check.*ok"
