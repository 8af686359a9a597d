#!/usr/bin/env bash
# Session 10, call 9: the indexer's every-config GPU tests, now over every MQA_LOGITS_CONFIGS entry.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 200 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer/test_cuda.py -k "every_config" > "$OUT/t_cuda.txt" 2>&1
tail -c 300 "$OUT/t_cuda.txt"
