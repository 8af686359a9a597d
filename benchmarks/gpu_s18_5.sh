#!/usr/bin/env bash
# Session 18, call 5: the new mHC default from T = 4096 (ws_t 16, streaming layer-input stores):
# against the old default in mhc_diag (bit for bit against their lag twins, old/new/old/new), the
# mHC GPU tests on it, the compile/graph suite's mHC ops, and the public ops' graph times.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
for i in 1 2; do
  MHC_DIAG_CONFIGS=own-s256-fp8-ef-st3,own-s256-fp8-ef-st3-ws16-cs timeout 100 python3 benchmarks/mhc_diag.py 8192 2>&1 \
    | grep -v -i warn | tee -a "$OUT/diag8192.txt"
done
timeout 240 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc/test_mhc_cuda.py \
  -k "default_config_from_t8192 or (modes and (flat-dot or own-spin1)) or fused or fn_pre" > "$OUT/t_mhc.txt" 2>&1
tail -c 800 "$OUT/t_mhc.txt"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "mhc or hc_head" \
  > "$OUT/t_cg.txt" 2>&1
tail -c 600 "$OUT/t_cg.txt"
MHC_TIMES_COMPILED=0 timeout 100 python3 benchmarks/mhc_graph_times.py 4096 8192 2>&1 | grep -v -i warn | tee "$OUT/mhc_times.txt"
