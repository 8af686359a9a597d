"""One row-mode top-k call for ``ncu`` (diagnostics; not a benchmark):

    ncu --kernel-name regex:topk --launch-skip 1 --launch-count 1 \\
        python -m opdispatch.benchmarks.topk_ncu [rows cols k]
"""
import sys

import torch


def main() -> None:
    from opdispatch.backends.triton import topk as tk

    args = sys.argv[1:4] if len(sys.argv) > 3 else (4096, 32768, 2048)
    rows, cols, k = (int(a) for a in args)
    x = torch.randn(rows, cols, device="cuda")
    starts = torch.zeros(rows, dtype=torch.int32, device="cuda")
    ends = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    out = torch.empty((rows, k), dtype=torch.int32, device="cuda")
    for _ in range(2):
        tk.top_k_per_row_prefill(x, starts, ends, out, k)
    torch.cuda.synchronize()


if __name__ == "__main__":
    main()
