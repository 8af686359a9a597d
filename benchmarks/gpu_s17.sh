#!/usr/bin/env bash
# Session 5, first call: decode-size mhc_pre / hc_head per config (why is hc_head at T=1 slower
# than compiled?), then the mhc cuda tier on the session-4 review commit. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv
timeout 240 python3 benchmarks/mhc_decode_diag.py 1 4 16 64 2>&1 | grep -v -i warn | tee "$OUT/dec_diag.txt"
timeout 330 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc > "$OUT/t_mhc.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_mhc.txt" | tail -12
