#!/usr/bin/env bash
# (Ran on the trial code of commits bcda6e5 / fc0e4ed / a2a7c10, since removed: see
# docs/benchmarks.md, session 23.)
# Session 23, call 1: v30 (v29 + the bracket emit in the v3 finish): the top-k cuda tests of
# the finish's shapes with v30 as the default, then v29 against v30 on the finish's shapes.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
TOPK_TEST_CONFIG=v30 timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -p benchmarks.pytest_topk_sample -rfE --tb=short -q tests/topk -k "kinds_ragged or decode or graph or pdl or v30" 2>&1 | tail -6
timeout 330 python3 benchmarks/topk_config_ab.py 5 v29 v30 -- 64x131072x2048d 64x131072x512d 64x131072x1024d 1x131072x2048d 8x131072x2048d 512x131072x2048 8x262144x512 2>&1 | grep -v -i warn
