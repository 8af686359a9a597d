#!/usr/bin/env bash
# Session 30, call 9: v44 with the run sample and its single-column retry in one code path
# (a loop of at most two passes) against v43 and g8 (runs, no check); the share of CUDA randn
# rows whose runs pass the check; smooth rows.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 60 python3 - <<'PY' 2>&1 | grep -v -i warn
import torch
from tests.topk.test_topk_interp import _runs_threshold_ref
g = torch.Generator(device="cuda").manual_seed(0)
for rows, cols, k in ((4096, 32768, 2048), (4096, 32768, 512), (1024, 65536, 2048)):
    x = torch.randn(rows, cols, device="cuda", generator=g).cpu()
    _, keep = _runs_threshold_ref(x, k, 2048, 8, 8, 12, 8)
    print(f"{rows}x{cols} k={k}: runs kept on {keep.float().mean().item() * 100:.2f}% of rows")
PY
timeout 240 python3 benchmarks/topk_twokernel_trial.py 3 v43 v44 g8 v44_r16 -- 4096x32768x2048 4096x32768x1024 4096x32768x512 1024x32768x2048 4096x16384x2048 2048x16384x512 1024x65536x2048 2>&1 | grep -v -i warn | grep -v check
timeout 120 python3 -m opdispatch.benchmarks.topk_tune --configs v43,v44 --data smooth --cases 2 --shapes 1024x32768x2048,4096x16384x2048 2>&1 | grep -v -i warn | tail -4
