#!/usr/bin/env bash
# Session 8, call 6: v12 (topk_sample_rows_kernel: threshold, compaction and select in one
# launch for rows of one slice) against v11 at 4096x32768 and over the sweep's one-slice
# shapes (>= 512 rows at 32768 columns), with register caps / 16 warps / 4096-column tiles;
# then the cuda tier of top-k on the new default's code. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 -m opdispatch.benchmarks.topk_tune --configs v11,v12 --extra \
  --only-extra v12_n80,v12_n64,v12_w16,v12_b4k --cases 2,5 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
python3 - <<'PY' 2>&1 | grep -v -i warn | tee "$OUT/shapes.txt"
import torch, triton
from opdispatch.backends.triton import topk as tk
from opdispatch.dispatch.bench import graph_replay_us
for rows, cols, k in ((512, 32768, 512), (512, 32768, 2048), (4096, 32768, 512), (4096, 32768, 1024),
                      (4096, 65536, 2048), (1024, 32768, 2048)):
    x = torch.randn(rows, cols, device="cuda")
    s = torch.zeros(rows, dtype=torch.int32, device="cuda"); e = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
    cells = []
    for name in ("v11", "v12"):
        f = lambda: tk.top_k_per_row_prefill(x, s, e, out, k, config=name)
        f()
        ok = torch.equal(x.gather(1, out.long()).sort(1).values, torch.topk(x, k, 1).values.sort(1).values)
        cells.append(f"{name} {tk.plan(rows, cols, k, x.device, name)['mode']:>11} {graph_replay_us(f):8.1f} {'ok' if ok else 'FAIL'}")
    print(f"{rows}x{cols} k={k}: " + " | ".join(cells), flush=True)
PY
