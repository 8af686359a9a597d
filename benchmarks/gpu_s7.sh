#!/usr/bin/env bash
# Session-3 third GPU call: top-k register mode. Registers/spills, then timings of sample vs
# register mode (rows of up to 32768 columns), then the whole top-k cuda tier with `reg32k`
# (sample + register mode) as the default. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 60 python3 benchmarks/topk_reg_diag.py 2>&1 | grep -vi warn | tee "$OUT/reg_diag.txt"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --sweep --max-cols 32768 --cases 6 \
    --configs sample,reg16k,reg32k 2>&1 | grep -viE "warn" | tee "$OUT/reg_sweep.txt"
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
TOPK_TEST_CONFIG=reg32k timeout 320 $PT -p benchmarks.pytest_topk_sample tests/topk > "$OUT/t_topk_reg32k.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_topk_reg32k.txt" | tail -15
tail -c 600 "$OUT/t_topk_reg32k.txt"
