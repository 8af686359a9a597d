"""Does the sample compaction settle rows with runs of columns (sample_group) on the GPU?
Counts per (row, slice) from topk_sample_compact_kernel against the same threshold computed
in PyTorch (diagnostics; session 8):

    PYTHONPATH=$PWD python3 benchmarks/topk_group_diag.py [rows cols k split]
"""
import sys

import torch

from opdispatch.backends.triton.topk import _sample_segment
from opdispatch.backends.triton.topk_kernels import topk_sample_compact_kernel, topk_sample_threshold_kernel
from tests.topk.helpers import order_key16, sample_threshold_ref


def main():
    rows, cols, k, split = (int(a) for a in sys.argv[1:5]) if len(sys.argv) > 4 else (512, 131072, 512, 2)
    S = 2048
    cap_s = _sample_segment(cols, k, split, S)
    gen = torch.Generator(device="cuda").manual_seed(rows + cols)
    x = torch.randn(rows, cols, device="cuda", generator=gen)
    I32 = torch.int32
    starts = torch.zeros(rows, dtype=I32, device="cuda")
    ends = torch.full((rows,), cols, dtype=I32, device="cuda")
    kk = order_key16(x)
    for G in (1, 4, 8):
        for dec in (False, True):
            sck = torch.empty(rows * split * cap_s, dtype=I32, device="cuda")
            sci = torch.empty_like(sck)
            scnt = torch.full((rows * split,), -1, dtype=I32, device="cuda")
            t16 = torch.full((rows,), -1, dtype=I32, device="cuda")
            topk_sample_compact_kernel[(rows, split)](
                x, cols, 1, starts, ends, ends, 1, cols, -(-cols // split), sck, sci, scnt, cap_s, k, t16,
                IS_DECODE=dec, COL_CONTIG=True, BLOCK=2048, SAMPLE=S, SKIP_EMPTY=False, T_GIVEN=False,
                THREADS=256, T_BITS=2, T_GROUP=G, num_warps=8)
            topk_sample_threshold_kernel[(rows,)](x, cols, 1, starts, ends, ends, 1, cols, t16, k,
                                                  IS_DECODE=dec, COL_CONTIG=True, SAMPLE=S, T_BITS=2,
                                                  T_GROUP=G, num_warps=4)
            want_t = sample_threshold_ref(x, k, S, G)
            cnt = scnt.view(rows, split)
            want_cnt = (kk >= want_t[:, None]).view(rows, split, -1).sum(2)
            bad = (cnt.sum(1) < k) | (cnt.max(1).values > cap_s)
            print(f"G={G} decode={dec} cap_s={cap_s}: unsettled {int(bad.sum())}/{rows}, "
                  f"counts equal to torch's {bool(torch.equal(cnt.long(), want_cnt))}, "
                  f"t16 kernel == torch {bool(torch.equal(t16.long(), want_t))}, "
                  f"mean {cnt.sum(1).float().mean().item():.0f} max slice {int(cnt.max())}", flush=True)


if __name__ == "__main__":
    main()
