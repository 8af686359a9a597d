#!/usr/bin/env bash
# One device call: GPU tests in three parallel bounded processes (tracebacks kept), then, alone on
# the GPU, the mHC timings (graph and eager) and the mHC config sweep. Logs go to $OUT (<= 6 files).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
T1=${T1:-270}
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
( timeout 150 $PT tests/indexer/test_cuda.py::test_torch_compile_fullgraph_dynamic_matches_eager \
     "tests/compile_graph/test_compile_graph_cuda.py::test_compile_dynamic_no_break_no_recompile" \
     -k "mqa or test_torch_compile" > "$OUT/t_fail.txt" 2>&1;
  timeout 120 $PT tests/compile_graph -k "not test_compile_dynamic" >> "$OUT/t_fail.txt" 2>&1 ) &
( timeout "$T1" $PT tests/mhc tests/fused -x > "$OUT/t_mhc.txt" 2>&1 ) &
( timeout "$T1" $PT tests/topk > "$OUT/t_topk.txt" 2>&1 ) &
wait
tail -3 "$OUT"/t_*.txt
timeout 100 python3 benchmarks/mhc_graph_times.py 1 64 8192 2>&1 | grep -v Warning | tee "$OUT/mhc_times.txt"
timeout 150 python3 -m opdispatch bench mhc_pre hc_head mhc_fused_post_pre --tag mhc-tune --label "T=8192 n=4 H=7168 cfg=b" --no-compile --out /tmp/b 2>&1 \
    | grep -v "^wrote\|^env" | tee -a "$OUT/mhc_times.txt"
