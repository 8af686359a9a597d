#!/usr/bin/env bash
# Session 13, call 10: the new defaults. mHC from T=4096 (own tile, parallel finishers, early
# flag, bounded waits): a GPU smoke of the public ops at T=8192 and of the own-spin1 / flat-dot
# configs at T=1, 64, 4100 with and without norm, then the public ops' graph times (T=4096,
# 8192, compiled at 8192); top-k v22 (PDL) against v21_a on the seven cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 200 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc/test_mhc_cuda.py -k "default_config_from_t8192 or (modes and (flat-dot or own-spin1))" > "$OUT/t_mhc.txt" 2>&1
tail -c 800 "$OUT/t_mhc.txt"
timeout 200 python3 benchmarks/mhc_graph_times.py 4096 8192 2>&1 | grep -v -i warn | tee "$OUT/mhc_times.txt"
timeout 170 python3 -m opdispatch.benchmarks.topk_tune --configs v21_a,v22 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
