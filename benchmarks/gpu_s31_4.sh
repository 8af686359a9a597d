#!/usr/bin/env bash
# Session 31: where v46's one launch spends its instructions (4096x32768 k=2048): ncu's source
# counters, executed warp instructions per Python source line (and per SASS instruction), to
# $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
$NCU --version | tail -1
cat > /tmp/one.py <<'PY'
import sys, torch
from opdispatch.backends.triton import topk as tk
cfg, cols = sys.argv[1], int(sys.argv[2])
x = torch.randn(4096, cols, device='cuda'); s = torch.zeros(4096, dtype=torch.int32, device='cuda')
e = torch.full((4096,), cols, dtype=torch.int32, device='cuda'); o = torch.empty(4096, 2048, dtype=torch.int32, device='cuda')
for _ in range(3): tk.top_k_per_row_prefill(x, s, e, o, 2048, config=cfg)
torch.cuda.synchronize()
PY
timeout 200 $NCU --section SourceCounters --kernel-name regex:topk --launch-skip 2 --launch-count 1 -o $OUT/v46 python3 /tmp/one.py v46 32768 > $OUT/ncu_log.txt 2>&1
tail -3 $OUT/ncu_log.txt
timeout 100 $NCU --import $OUT/v46.ncu-rep --page source --csv --print-source cuda > $OUT/v46_cuda.csv 2> $OUT/err1.txt; echo "cuda rc $?"; head -c 600 $OUT/err1.txt
timeout 100 $NCU --import $OUT/v46.ncu-rep --page source --csv --print-source sass > $OUT/v46_sass.csv 2> $OUT/err2.txt; echo "sass rc $?"; head -c 600 $OUT/err2.txt
wc -l $OUT/*.csv; head -5 $OUT/v46_cuda.csv
