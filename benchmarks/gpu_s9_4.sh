#!/usr/bin/env bash
# Session 9, call 4: the one-launch v3 kernel's DRAM traffic (ncu, call 3: 1.09 GB read for
# 512 MB of logits; the sample and the compaction both read the row from DRAM): a smaller
# sample, the sample kept in L2 (evict_last / evict_first), 80 registers (fewer rows in
# flight), each on v18, at 4096x32768 and other one-slice shapes; DRAM bytes of the best
# guesses under ncu. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
S=4096x32768x512,1024x32768x2048,2048x16384x512
timeout 240 python3 -m opdispatch.benchmarks.topk_tune --configs v18 --extra \
  --only-extra v18_smp1k,v18_smp512,v18_l2,v18_smp1k_l2,v18_n80,v18_n80_l2 --cases 2,5 --shapes $S 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
for c in v18_l2 v18_smp1k_l2; do
  timeout 100 $NCU --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,gpu__time_duration.sum \
    --kernel-name regex:topk --launch-skip 3 --launch-count 1 \
    python3 -c "
import sys, torch
from opdispatch.benchmarks import topk_tune as t
from opdispatch.backends.triton import topk as tk
cfg = t._extra()['$c']
x = torch.randn(4096, 32768, device='cuda'); s = torch.zeros(4096, dtype=torch.int32, device='cuda')
e = torch.full((4096,), 32768, dtype=torch.int32, device='cuda'); o = torch.empty(4096, 2048, dtype=torch.int32, device='cuda')
for _ in range(5): tk.top_k_per_row_prefill(x, s, e, o, 2048, config=cfg)
torch.cuda.synchronize()" > "$OUT/ncu_$c.txt" 2>&1
  echo "== $c"; grep -E "dram__|lts__|gpu__time" "$OUT/ncu_$c.txt"
done
