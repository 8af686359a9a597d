#!/usr/bin/env bash
# Session 28, call 2: v34 (S programs per row in v12's one launch, the threshold published by
# slice 0) against v33 (graph us, 5 alternations); ncu DRAM bytes of v34_4 / v34_2.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 benchmarks/topk_fused_trial.py 5 v33 v34_2 v34_4 v34_8 v34_4_nh -- 4096x32768x2048 4096x32768x512 4096x32768x1024 1024x32768x2048 2048x16384x512 4096x8192x256 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
for c in v34_2 v34_4; do
timeout 60 $NCU --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,gpu__time_duration.sum,launch__registers_per_thread \
  --kernel-name regex:topk --launch-skip 3 --launch-count 1 \
  python3 -c "
import sys; sys.path.insert(0,'benchmarks')
import topk_fused_trial as t, dataclasses
from opdispatch.backends.triton import topk as tk
for n,kw in t.TRIALS.items(): tk.CONFIGS[n]=dataclasses.replace(t.BASE,**kw)
sys.argv=['x','4096','32768','2048','prefill','$c']
from opdispatch.benchmarks import topk_ncu; topk_ncu.main()" > "$OUT/ncu_$c.txt" 2>&1
echo "== $c"; grep -E "dram__|lts__|gpu__time|registers" "$OUT/ncu_$c.txt" | cut -c1-120
done
