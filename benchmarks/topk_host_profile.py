"""Host time of one top-k call (GPU): where eager callers' microseconds go.

    python benchmarks/topk_host_profile.py [rows] [cols] [k]

Times the host side of ``opdispatch.top_k_per_row_prefill`` (the public op) and of the Triton
backend alone (``opdispatch.dispatch.bench.host_us``: the best of 5 runs of 100 calls
without synchronising; session 7's figures came from one run of 300 after 20 warm-up
calls), then profiles the backend's calls with cProfile (top functions by cumulative time).
"""

import cProfile
import pstats
import sys

import torch

import opdispatch
from opdispatch.backends.triton import topk as tk
from opdispatch.dispatch.bench import host_us


def main() -> None:
    rows, cols, k = (int(a) for a in (sys.argv[1:] + ["64", "32768", "512"][len(sys.argv) - 1:]))
    x = torch.randn(rows, cols, device="cuda")
    starts = torch.zeros(rows, dtype=torch.int32, device="cuda")
    ends = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
    p = tk.plan(rows, cols, k, x.device)
    print(f"{rows}x{cols} k={k}: mode {p['mode']}, split {p['split']}, sample {p.get('sample')}")
    print(f"  op (opdispatch.top_k_per_row_prefill): "
          f"{host_us(lambda: opdispatch.top_k_per_row_prefill(x, starts, ends, k, out=out)):7.1f} us/call host")
    print(f"  backend (tk.top_k_per_row_prefill):     "
          f"{host_us(lambda: tk.top_k_per_row_prefill(x, starts, ends, out, k)):7.1f} us/call host")
    print(f"  torch.topk:                             "
          f"{host_us(lambda: torch.topk(x, k, dim=1, sorted=False)):7.1f} us/call host")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(200):
        tk.top_k_per_row_prefill(x, starts, ends, out, k)
    prof.disable()
    torch.cuda.synchronize()
    pstats.Stats(prof).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
