#!/usr/bin/env bash
# Session 8, call 7: v12's register cap (64 / 56 / 48: 4-5 programs per SM; 1024-column tiles
# at 64) against v11 on the one-slice shapes (v12 only where the select has <= 4096 lanes).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
python3 - <<'PY' 2>&1 | grep -v -i warn | tee "$OUT/shapes.txt"
import torch, triton
from opdispatch.backends.triton import topk as tk
from opdispatch.benchmarks.topk_tune import _extra
from opdispatch.dispatch.bench import graph_replay_us
cfgs = {"v11": "v11", **{n: c for n, c in _extra().items() if n in ("v12_n80", "v12_n64", "v12_n56", "v12_n48", "v12_n64_b1k")}}
print("   ".join(cfgs))
for rows, cols, k in ((4096, 32768, 2048), (4096, 32768, 1024), (4096, 32768, 512), (1024, 32768, 2048),
                      (512, 32768, 512), (4096, 65536, 2048), (2048, 16384, 512), (4096, 8192, 256)):
    x = torch.randn(rows, cols, device="cuda")
    s = torch.zeros(rows, dtype=torch.int32, device="cuda"); e = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
    cells = []
    for name, cfg in cfgs.items():
        f = lambda: tk.top_k_per_row_prefill(x, s, e, out, k, config=cfg)
        f()
        ok = torch.equal(x.gather(1, out.long()).sort(1).values, torch.topk(x, k, 1).values.sort(1).values)
        mode = tk.plan(rows, cols, k, x.device, cfg)['mode'][:6]
        cells.append(f"{mode} {graph_replay_us(f):7.1f}{'' if ok else ' FAIL'}")
    print(f"{rows}x{cols} k={k}: " + " | ".join(cells), flush=True)
PY
