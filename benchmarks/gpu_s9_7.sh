#!/usr/bin/env bash
# Session 9, call 7: v19 with the L2 hints in the one launch only (sample_l2=1) against v15
# and v18 on the cases, the rows x cols x k sweep of v19 (csv + png), and the cuda
# tier's tests that run v19 (every-config, default-config ones). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v15,v18,v19 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 300 python3 -m opdispatch.benchmarks.topk_tune --configs v19 --sweep --out "$OUT/sweep" 2>&1 | grep -v -i warn > "$OUT/sweep.txt"
tail -n 60 "$OUT/sweep.txt"
timeout 100 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py -k "v19" > "$OUT/t_cuda.txt" 2>&1
tail -c 200 "$OUT/t_cuda.txt"
