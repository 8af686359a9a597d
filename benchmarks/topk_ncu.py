"""Nsight Compute target (GPU): one shape of top_k_per_row_prefill, run a few times.

    ncu ... python benchmarks/topk_ncu.py ROWS COLS K [CONFIG]

Random normal logits (seed 0), the op's default config or the named one; the plan's mode is
printed first.
"""

import sys

import torch

from opdispatch.backends.triton import topk as tk


def main() -> None:
    rows, cols, k = (int(x) for x in sys.argv[1:4])
    config = sys.argv[4] if len(sys.argv) > 4 else None
    g = torch.Generator(device="cuda").manual_seed(0)
    x = torch.randn(rows, cols, device="cuda", generator=g)
    starts = torch.zeros(rows, dtype=torch.int32, device="cuda")
    ends = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
    p = tk.plan(rows, cols, k, x.device, config)
    print("plan", p["mode"], p.get("num_warps"), p.get("small"), flush=True)
    for _ in range(3):
        tk.top_k_per_row_prefill(x, starts, ends, out, k, config=config)
    torch.cuda.synchronize()


if __name__ == "__main__":
    main()
