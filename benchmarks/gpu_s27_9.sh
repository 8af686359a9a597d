#!/usr/bin/env bash
# Session 27, call 9: regression of the slice kernel without the norm after the weighted-sum
# partition's refactor (_ws_step): its own tests, the fused slice tests and the > 2^31 test.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 420 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "(slice and not norm) or 2_31" 2>&1 | grep -v -i warn | tail -4
