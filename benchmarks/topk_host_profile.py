"""Host time of one top-k call (GPU): where eager callers' microseconds go.

    python benchmarks/topk_host_profile.py [rows] [cols] [k]

Times the host side of ``opdispatch.top_k_per_row_prefill`` (the public op) and of the Triton
backend alone, over many calls without synchronising (the GPU runs behind), then profiles the
backend's calls with cProfile (top functions by cumulative time).
"""

import cProfile
import pstats
import sys
import time

import torch

import opdispatch
from opdispatch.backends.triton import topk as tk


def _host_us(fn, n=300):
    for _ in range(20):
        fn()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    t1 = time.perf_counter()
    torch.cuda.synchronize()
    return (t1 - t0) / n * 1e6


def main() -> None:
    rows, cols, k = (int(a) for a in (sys.argv[1:] + ["64", "32768", "512"][len(sys.argv) - 1:]))
    x = torch.randn(rows, cols, device="cuda")
    starts = torch.zeros(rows, dtype=torch.int32, device="cuda")
    ends = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
    p = tk.plan(rows, cols, k, x.device)
    print(f"{rows}x{cols} k={k}: mode {p['mode']}, split {p['split']}, sample {p.get('sample')}")
    print(f"  op (opdispatch.top_k_per_row_prefill): "
          f"{_host_us(lambda: opdispatch.top_k_per_row_prefill(x, starts, ends, k, out=out)):7.1f} us/call host")
    print(f"  backend (tk.top_k_per_row_prefill):     "
          f"{_host_us(lambda: tk.top_k_per_row_prefill(x, starts, ends, out, k)):7.1f} us/call host")
    print(f"  torch.topk:                             "
          f"{_host_us(lambda: torch.topk(x, k, dim=1, sorted=False)):7.1f} us/call host")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(200):
        tk.top_k_per_row_prefill(x, starts, ends, out, k)
    prof.disable()
    torch.cuda.synchronize()
    pstats.Stats(prof).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
