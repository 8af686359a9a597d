#!/usr/bin/env bash
# Session 18, call 9: one-block weighted-sum steps as straight-line code (WS_ONE_BLOCK, the
# library now) against the loop form (ws_loop), at ws_t 16 and 8, T=8192 and 4096, 5
# alternations, bit for bit; then the mHC GPU tests that run the default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 200 python3 benchmarks/mhc_src_trial.py 5 8192 base ws_loop base@ws_t=8 ws_loop@ws_t=8 2>&1 \
  | grep -v -i warn | tee "$OUT/src_trial8192.txt"
timeout 100 python3 benchmarks/mhc_src_trial.py 5 4096 base ws_loop 2>&1 | grep -v -i warn | tee "$OUT/src_trial4096.txt"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc/test_mhc_cuda.py \
  -k "default_config_from_t8192 or (modes and (flat-dot or own-spin1)) or fn_pre" > "$OUT/t_mhc.txt" 2>&1
tail -c 600 "$OUT/t_mhc.txt"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc/test_mhc_cuda.py \
  -k "fused and (default- or own-spin1)" > "$OUT/t_fused.txt" 2>&1
tail -c 600 "$OUT/t_fused.txt"
