"""Registers and spills of the top-k register-mode kernel per row length (GPU):

    python benchmarks/topk_reg_diag.py [per_thread ...]
"""

import sys

import torch

from opdispatch.backends.triton import topk as tk
from opdispatch.backends.triton.topk_kernels import topk_register_kernel


def main() -> None:
    per_threads = [int(a) for a in sys.argv[1:]] or [32, 64]
    for cols in (4096, 8192, 16384, 32768):
        x = torch.randn(4, cols, device="cuda")
        z = torch.zeros(4, dtype=torch.int32, device="cuda")
        e = torch.full((4,), cols, dtype=torch.int32, device="cuda")
        out = torch.empty(4, 2048, dtype=torch.int32, device="cuda")
        for pt in per_threads:
            p = tk.plan(4, cols, 2048, x.device, tk.TopKConfig(reg_max_cols=cols, reg_per_thread=pt))
            kern = topk_register_kernel[p["grid"]](
                x, cols, 1, z, e, z, 1, cols, out, out.stride(0), 2048, IS_DECODE=False,
                COL_CONTIG=True, LANES=p["lanes"], FILL_BLOCK=1024, num_warps=p["num_warps"])
            print(f"cols={cols:6d} per_thread={pt:3d} warps={p['num_warps']:2d} "
                  f"regs={kern.n_regs} spills={kern.n_spills}", flush=True)


if __name__ == "__main__":
    main()
