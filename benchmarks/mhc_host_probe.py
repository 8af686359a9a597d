"""Probe (GPU): host time and back-to-back GPU time of hc_head through the Triton kernel and the
slice kernel (session 19 left an eager figure of 450.8 us at T=4096 against 163.1 in a graph;
session 25: the slice kernel's config is its 32-token, 13-stage, fn-in-registers form).

    PYTHONPATH=$PWD python3 benchmarks/mhc_host_probe.py [T ...]

``MHC_PROBE_PRE=1`` times mhc_pre instead of hc_head; ``MHC_PROBE_PROFILE=0`` skips cProfile.

Per T and kernel: host us per call (100 calls enqueued, no sync: the Python front, descriptors,
launches), back-to-back us per call (100 calls between two events, L2 not flushed), do_bench us
(L2 flushed before each call, as the eager column of mhc_graph_times.py), graph us; then the
top host functions of 50 calls under cProfile for the slice kernel.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from dataclasses import replace

import torch
import triton.testing

from opdispatch.backends.triton import mhc as tmhc
from opdispatch.dispatch.bench import graph_replay_us

N, H = 4, 7168


def main(ts: list[int]) -> None:
    gen = torch.Generator(device="cuda").manual_seed(0)
    for t in ts:
        x = torch.randn(t, N, H, device="cuda", generator=gen).to(torch.bfloat16)
        fn = torch.randn(N, N * H, device="cuda", generator=gen) * 1e-3
        scale = torch.rand(1, device="cuda", generator=gen) + 0.5
        base = torch.randn(N, device="cuda", generator=gen) * 0.1
        out = torch.empty(t, H, device="cuda", dtype=torch.bfloat16)
        dflt = tmhc.default_pre_config(t, N, H, os.environ.get("MHC_PROBE_PRE") != "1")
        cfgs = {"triton": replace(dflt, slice=False),
                "slice": replace(dflt, slice=True, slice_w=64, slice_tc=32, slice_stages=13,
                                 slice_fin_t=1, slice_areg=True)}
        pre = os.environ.get("MHC_PROBE_PRE") == "1"
        pfn = torch.randn((2 + N) * N, N * H, device="cuda", generator=gen) * 1e-3
        pscale = torch.rand(3, device="cuda", generator=gen) + 0.5
        pbase = torch.randn((2 + N) * N, device="cuda", generator=gen) * 0.1
        post = torch.empty(t, N, 1, device="cuda")
        comb = torch.empty(t, N, N, device="cuda")
        for name, cfg in cfgs.items():
            def call(cfg=cfg):
                if pre:
                    tmhc.mhc_pre(x, pfn, pscale, pbase, None, out, post, comb, 1e-6, 1e-6, 1e-6, 2.0,
                                 20, 1e-6, config=cfg)
                else:
                    tmhc.hc_head(x, fn, scale, base, out, 1e-6, 1e-6, config=cfg)
            for _ in range(5):
                call()
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            for _ in range(100):
                call()
            host = (time.perf_counter() - t0) * 1e4
            torch.cuda.synchronize()
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            e0.record()
            for _ in range(100):
                call()
            e1.record()
            torch.cuda.synchronize()
            b2b = e0.elapsed_time(e1) * 10
            db = triton.testing.do_bench(call, warmup=10, rep=50, return_mode="median") * 1e3
            print(f"{'pre ' if pre else 'head'} T={t:5d} {name:7s} host {host:7.1f} us  back-to-back {b2b:7.1f} us  "
                  f"do_bench {db:7.1f} us  graph {graph_replay_us(call):7.1f} us", flush=True)
        if os.environ.get("MHC_PROBE_PROFILE", "1") != "1":
            continue
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(50):
            tmhc.hc_head(x, fn, scale, base, out, 1e-6, 1e-6, config=cfgs["slice"])
        prof.disable()
        torch.cuda.synchronize()
        pstats.Stats(prof).sort_stats("tottime").print_stats(14)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)




def public(ts: list[int]) -> None:
    """The public op (opdispatch.hc_head) with its default, then with the slice kernel forced
    for every T (default_pre_config patched): do_bench (eager, L2 flushed) and graph us."""
    import opdispatch

    gen = torch.Generator(device="cuda").manual_seed(1)
    orig = tmhc.default_pre_config

    def forced(t, n, h, head=False):   # hc_head's T >= 8192 config at every T
        return orig(max(t, 8192) if head else t, n, h, head)

    for t in ts:
        x = torch.randn(t, N, H, device="cuda", generator=gen).to(torch.bfloat16)
        fn = torch.randn(N, N * H, device="cuda", generator=gen) * 1e-3
        scale = torch.rand(1, device="cuda", generator=gen) + 0.5
        base = torch.randn(N, device="cuda", generator=gen) * 0.1
        for label, f in (("default", orig), ("slice", forced), ("default", orig), ("slice", forced)):
            tmhc.default_pre_config = f
            def call():
                return opdispatch.hc_head(x, fn, scale, base)
            call()
            db = triton.testing.do_bench(call, warmup=10, rep=50, return_mode="median") * 1e3
            print(f"public T={t:5d} {label:8s} do_bench {db:7.1f} us  graph "
                  f"{graph_replay_us(call):7.1f} us", flush=True)
        tmhc.default_pre_config = orig


if __name__ == "__main__":
    if sys.argv[1:2] == ["public"]:
        public([int(a) for a in sys.argv[2:]] or [4096, 8192])
    else:
        main([int(a) for a in sys.argv[1:]] or [4096, 8192])
