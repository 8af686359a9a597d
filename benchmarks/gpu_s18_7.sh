#!/usr/bin/env bash
# Session 18, call 7: the rest of the mHC GPU tests that involve the new T >= 4096 default
# (calls 5 and 6 ran the modes (flat-dot, own-spin1: the default and its forced hand-overs) and
# the fused tests up to their timeout, all passing): the public ops at T=8192 and fn_pre's bits.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc/test_mhc_cuda.py \
  -k "default_config_from_t8192 or fn_pre or (modes and flat-dot)" > "$OUT/t_mhc.txt" 2>&1
tail -c 600 "$OUT/t_mhc.txt"
