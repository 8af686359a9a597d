#!/usr/bin/env bash
# Session 13, call 15: the top-k cuda tier's last tests (call 14's time limit stopped it after
# 226 of 266, none failed): tests 220-266 of that selection, ids in topk_s13_rest_ids.txt.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q $(cat benchmarks/topk_s13_rest_ids.txt) > "$OUT/t_topk3.txt" 2>&1
tail -c 600 "$OUT/t_topk3.txt"
