"""One top-k call (after a warm-up) for ``ncu`` (diagnostics; not a benchmark):

    ncu --kernel-name regex:topk --launch-skip 3 --launch-count 3 \\
        python -m opdispatch.benchmarks.topk_ncu [rows cols k [prefill|decode [config]]]
"""
import sys

import torch


def main() -> None:
    from opdispatch.backends.triton import topk as tk

    args = sys.argv[1:]
    rows, cols, k = (int(a) for a in args[:3]) if len(args) >= 3 else (4096, 32768, 2048)
    mode = args[3] if len(args) > 3 else "prefill"
    config = args[4] if len(args) > 4 else None
    x = torch.randn(rows, cols, device="cuda")
    out = torch.empty((rows, k), dtype=torch.int32, device="cuda")
    for _ in range(4):
        if mode == "decode":
            lens = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
            tk.top_k_per_row_decode(x, lens, out, 1, k, config=config)
        else:
            starts = torch.zeros(rows, dtype=torch.int32, device="cuda")
            ends = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
            tk.top_k_per_row_prefill(x, starts, ends, out, k, config=config)
    torch.cuda.synchronize()


if __name__ == "__main__":
    main()
