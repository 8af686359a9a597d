#!/usr/bin/env bash
# Session 8, call 10: why the sweep's 512x131072 k=512 / 1024 and 512x262144 k=512 took twice
# v10's session-7 time under v12: v10 (with this session's compaction tile fix) against
# v10 + runs of 4 (v10_g4), per kernel (torch.profiler). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
python3 - <<'PY' 2>&1 | grep -v -i warn | tee "$OUT/diag.txt"
import torch
from torch.profiler import ProfilerActivity, profile
from opdispatch.backends.triton import topk as tk
from opdispatch.benchmarks.topk_tune import _extra
from opdispatch.dispatch.bench import graph_replay_us
cfgs = {"v10": tk.CONFIGS["v10"], "v10_g4": _extra()["v10_g4"], "v12": tk.CONFIGS["v12"]}
for rows, cols, k in ((512, 131072, 512), (512, 131072, 2048), (512, 262144, 512), (64, 262144, 1024)):
    gen = torch.Generator(device="cuda").manual_seed(rows + cols)
    x = torch.randn(rows, cols, device="cuda", generator=gen)
    s = torch.zeros(rows, dtype=torch.int32, device="cuda"); e = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
    for name, cfg in cfgs.items():
        f = lambda: tk.top_k_per_row_prefill(x, s, e, out, k, config=cfg)
        f(); torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(5):
                f()
            torch.cuda.synchronize()
        ks = {}
        for ev in prof.key_averages():
            us = getattr(ev, "self_device_time_total", 0) or getattr(ev, "self_cuda_time_total", 0)
            if us > 0:
                ks[ev.key[:28]] = us / 5
        p = tk.plan(rows, cols, k, x.device, cfg)
        print(f"{rows}x{cols} k={k} {name:7} graph {graph_replay_us(f):7.1f}  split {p['split']} cap_s {p.get('cap_s')} "
              + "  ".join(f"{n} {v:.1f}" for n, v in sorted(ks.items(), key=lambda t: -t[1])), flush=True)
PY
