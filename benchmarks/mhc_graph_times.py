"""GPU time (CUDA-graph replay) and eager call time of the mHC ops at several token counts.

    PYTHONPATH=$PWD python3 benchmarks/mhc_graph_times.py [T ...]

Decode-size calls are dominated by host launch work in an eager loop; engines replay them in CUDA
graphs, so both numbers are printed: ``graph`` (median per call of 20 calls replayed in one graph)
and ``eager`` (triton.testing.do_bench). The torch.compile'd reference is timed the same way
(``MHC_TIMES_COMPILED=0`` skips it).
"""

from __future__ import annotations

import os
import sys

import torch
import triton.testing

import opdispatch
from opdispatch.backends.torch_ref import mhc as ref
from opdispatch.dispatch.bench import graph_replay_us as graph_us

N, H = 4, 7168


def eager_us(fn) -> float:
    return float(triton.testing.do_bench(fn, warmup=10, rep=50, return_mode="median")) * 1e3


def main(ts: list[int]) -> None:
    dev = "cuda"
    gen = torch.Generator(device=dev).manual_seed(0)
    for t in ts:
        r = torch.randn(t, N, H, device=dev, generator=gen).to(torch.bfloat16)
        x = torch.randn(t, H, device=dev, generator=gen).to(torch.bfloat16)
        fn = torch.randn((2 + N) * N, N * H, device=dev, generator=gen) * 1e-3
        hfn = torch.randn(N, N * H, device=dev, generator=gen) * 1e-3
        scale = torch.rand(3, device=dev, generator=gen) + 0.5
        base = torch.randn((2 + N) * N, device=dev, generator=gen) * 0.1
        post = torch.rand(t, N, 1, device=dev, generator=gen)
        comb = torch.rand(t, N, N, device=dev, generator=gen)
        cases = {
            "mhc_pre": (lambda: opdispatch.mhc_pre(r, fn, scale, base),
                        lambda: ref.mhc_pre(r, fn, scale, base)),
            "hc_head": (lambda: opdispatch.hc_head(r, hfn, scale[:1], base[:N]),
                        lambda: ref.hc_head(r, hfn, scale[:1], base[:N])),
            "mhc_post": (lambda: opdispatch.mhc_post(x, r, post, comb),
                         lambda: ref.mhc_post(x, r, post, comb)),
            "mhc_fused_post_pre": (lambda: opdispatch.mhc_fused_post_pre(x, r, post, comb, fn, scale, base),
                                   lambda: ref.mhc_pre(ref.mhc_post(x, r, post, comb), fn, scale, base)),
        }
        for name, (ours, theirs) in cases.items():
            row = f"{name:20s} T={t:5d} ours graph={graph_us(ours):8.1f} eager={eager_us(ours):8.1f}"
            if theirs is not None and os.environ.get("MHC_TIMES_COMPILED", "1") == "1":
                try:
                    comp = torch.compile(theirs, dynamic=False)
                    row += f"  compiled graph={graph_us(comp):8.1f} eager={eager_us(comp):8.1f}"
                except Exception as exc:  # the baseline must not lose our number
                    row += f"  compiled: {type(exc).__name__}"
                torch._dynamo.reset()
            print(row, flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 16, 64, 1024, 8192])
