#!/usr/bin/env bash
# Session 28, call 3: v35 (the warp compaction in v12's one launch: ballot ranks, a sub-segment
# per warp) against v33 (graph us, 5 alternations); ncu of v33 and v35.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 benchmarks/topk_fused_trial.py 5 v33 v35 v35_b4k v35_b1k v35_nh v35_r80 -- 4096x32768x2048 4096x32768x512 4096x32768x1024 1024x32768x2048 2048x16384x512 4096x8192x256 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
for c in v33 v35; do
timeout 60 $NCU --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,gpu__time_duration.sum,launch__registers_per_thread,sm__inst_executed.sum,smsp__issue_active.avg.pct_of_peak_sustained_active,l1tex__t_requests_pipe_lsu_mem_local_op_ld.sum \
  --kernel-name regex:topk --launch-skip 3 --launch-count 1 \
  python3 -c "
import sys; sys.path.insert(0,'benchmarks')
import topk_fused_trial as t, dataclasses
from opdispatch.backends.triton import topk as tk
for n,kw in t.TRIALS.items(): tk.CONFIGS[n]=dataclasses.replace(t.BASE,**kw)
sys.argv=['x','4096','32768','2048','prefill','$c']
from opdispatch.benchmarks import topk_ncu; topk_ncu.main()" > "$OUT/ncu_$c.txt" 2>&1
echo "== $c"; grep -E "dram__|lts__|gpu__time|registers|inst_exec|issue_active|local_op" "$OUT/ncu_$c.txt" | cut -c1-120
done
