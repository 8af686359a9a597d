"""Decode-size mhc_pre / hc_head: CUDA-graph time per config and token count, against the
compiled reference, plus the cost of the graph nodes themselves (a memset, an empty kernel).

    PYTHONPATH=$PWD python3 benchmarks/mhc_decode_diag.py [T ...]

Env: MHC_DEC_CONFIGS=name,name (subset), MHC_DEC_VARIANTS=head,pre (and fused: mhc_fused_post_pre,
"default" = post then pre, a config = the fused kernel under it), MHC_DEC_COMPILED=0 (skip the
compiled reference).
"""

from __future__ import annotations

import os
import sys

import torch
import triton

from opdispatch.backends.torch_ref import mhc as ref
from opdispatch.backends.triton import mhc as tmhc
from opdispatch.dispatch.bench import graph_replay_us as graph_us

N, H = 4, 7168
C = tmhc.PreConfig
def _2l(**kw):
    return C(two_launch=True, **kw)


# name -> (config, smallest T, largest T it is timed at)
TRIALS = {
    "default": (None, 0, 1 << 30),
    # session 5, second call's best two-launch configs
    "2L-s64-bh32-fs8": (_2l(block_t=16, block_h=32, split_h=64, fin_s=8), 0, 64),
    "2L-s128-bh32-fs16": (_2l(block_t=16, block_h=32, split_h=128, fin_s=16), 0, 256),
    "2L-s256-bh32-fs8": (_2l(block_t=16, block_h=32, split_h=256, fin_s=8), 16, 1024),
    "2L-bt32-s128-bh32": (_2l(block_t=32, block_h=32, split_h=128, fin_s=8), 64, 1024),
    # one token per finishing chunk, every split's partial at once (T = 1, 2)
    "2L-s64-bh64-ft1-fs128": (_2l(block_t=16, block_h=64, split_h=64, fin_t=1, fin_s=128), 0, 2),
    "2L-s64-bh32-ft1-fs128": (_2l(block_t=16, block_h=32, split_h=64, fin_t=1, fin_s=128), 0, 2),
    "2L-s128-bh32-ft1-fs64": (_2l(block_t=16, block_h=32, split_h=128, fin_t=1, fin_s=64), 0, 2),
    "2L-s64-bh64-ft1-fs128-flat": (_2l(block_t=16, block_h=64, split_h=64, fin_t=1, fin_s=128, flat=True,
                                       sq_dot=True, fn_cat=True), 0, 2),
    "2L-s64-bh64-ft2-fs64": (_2l(block_t=16, block_h=64, split_h=64, fin_t=2, fin_s=64), 0, 2),
    "2L-s128-bh32-ft4-fs32": (_2l(block_t=16, block_h=32, split_h=128, fin_t=4, fin_s=32), 0, 16),
    "2L-s128-bh32-ft8-fs16": (_2l(block_t=16, block_h=32, split_h=128, fin_t=8, fin_s=16), 16, 64),
    # the middle sizes
    "2L-bt64-s512-bh64-ft16": (_2l(block_t=64, block_h=64, split_h=512, fin_t=16, fin_s=8), 256, 1 << 30),
    "2L-bt64-s512-bh64-ft16-fsc": (_2l(block_t=64, block_h=64, split_h=512, fin_t=16, fin_s=8, flat=True,
                                       sq_dot=True, fn_cat=True), 256, 1 << 30),
    "2L-bt64-s1024-bh64-ft16-fsc": (_2l(block_t=64, block_h=64, split_h=1024, fin_t=16, fin_s=8, flat=True,
                                        sq_dot=True, fn_cat=True, num_stages=3), 256, 1 << 30),
    "2L-bt64-s256-bh64-ft16-fsc": (_2l(block_t=64, block_h=64, split_h=256, fin_t=16, fin_s=32, flat=True,
                                       sq_dot=True, fn_cat=True), 256, 1 << 30),
    "2L-bt32-s256-bh64-ft16-fsc": (_2l(block_t=32, block_h=64, split_h=256, fin_t=16, fin_s=32, flat=True,
                                       sq_dot=True, fn_cat=True), 64, 4096),
    # session 5, fourth call: fn split into a bf16 hi|lo copy first (fn_pre)
    "2L-bt64-s256-bh64-ft16-fsc-pre": (_2l(block_t=64, block_h=64, split_h=256, fin_t=16, fin_s=32, flat=True,
                                           sq_dot=True, fn_cat=True, fn_pre=True), 256, 1 << 30),
    "2L-bt64-s512-bh64-ft16-fsc-pre": (_2l(block_t=64, block_h=64, split_h=512, fin_t=16, fin_s=8, flat=True,
                                           sq_dot=True, fn_cat=True, fn_pre=True), 256, 1 << 30),
    "1L-bt64-s512-fsc-pre": (C(block_t=64, block_h=64, split_h=512, flat=True, sq_dot=True, fn_cat=True,
                               fn_pre=True), 2048, 1 << 30),
    "1L-bt64-s512-fsc": (C(block_t=64, block_h=64, split_h=512, flat=True, sq_dot=True, fn_cat=True),
                         2048, 1 << 30),
}
if os.environ.get("MHC_DEC_TRIALS"):  # comma-separated names: only those
    TRIALS = {k: v for k, v in TRIALS.items() if k in os.environ["MHC_DEC_TRIALS"].split(",")}
CONFIGS = {k: v[0] for k, v in TRIALS.items()}
if os.environ.get("MHC_DEC_CONFIGS"):
    CONFIGS = {k: v for k, v in CONFIGS.items() if k in os.environ["MHC_DEC_CONFIGS"].split(",")}
VARIANTS = os.environ.get("MHC_DEC_VARIANTS", "head,pre").split(",")


@triton.jit
def _empty_kernel(p):
    pass


def main(ts: list[int]) -> None:
    dev = os.environ.get("MHC_DEC_DEVICE", "cuda")  # "cpu" with TRITON_INTERPRET=1: a dry run
    g = torch.Generator(device=dev).manual_seed(0)
    buf = torch.zeros(8, dtype=torch.int32, device=dev)
    print(f"graph node costs: memset {graph_us(lambda: torch.zeros(3, dtype=torch.int32, device=dev)):.2f} us, "
          f"empty triton kernel {graph_us(lambda: _empty_kernel[(1,)](buf)):.2f} us, "
          f"empty kernel 112 programs {graph_us(lambda: _empty_kernel[(112,)](buf)):.2f} us", flush=True)
    for t in ts:
        r = torch.randn(t, N, H, device=dev, generator=g).to(torch.bfloat16)
        fn = torch.randn((2 + N) * N, N * H, device=dev, generator=g) * 1e-3
        hfn = fn[:N].contiguous()
        scale = torch.rand(3, device=dev, generator=g) + 0.5
        base = torch.randn((2 + N) * N, device=dev, generator=g) * 0.1
        y = torch.empty(t, H, dtype=torch.bfloat16, device=dev)
        post = torch.empty(t, N, 1, device=dev)
        comb = torch.empty(t, N, N, device=dev)
        sc = dict(rms_eps=1e-6, hc_pre_eps=1e-6, sinkhorn_eps=1e-6, post_mult=2.0, sinkhorn_iters=20,
                  norm_eps=1e-6)
        want_h = ref.hc_head(r, hfn, scale[:1], base[:N])
        want_p = ref.mhc_pre(r, fn, scale, base)[0]
        x = torch.randn(t, H, device=dev, generator=g).to(torch.bfloat16)
        pin = torch.rand(t, N, 1, device=dev, generator=g)
        cin = torch.rand(t, N, N, device=dev, generator=g)
        new = torch.empty_like(r)
        want_f = ref.mhc_pre(ref.mhc_post(x, r, pin, cin), fn, scale, base)[0] if "fused" in VARIANTS else None
        comp_ts = os.environ.get("MHC_DEC_COMPILED_TS")  # e.g. "1,2": the compiled reference only there
        if os.environ.get("MHC_DEC_COMPILED", "1") == "1" and (not comp_ts or str(t) in comp_ts.split(",")):
            for vname in (v for v in VARIANTS if v in ("head", "pre")):
                f = (lambda: ref.hc_head(r, hfn, scale[:1], base[:N])) if vname == "head" else \
                    (lambda: ref.mhc_pre(r, fn, scale, base))
                comp = torch.compile(f, dynamic=False)
                print(f"T={t:3d} {vname:4s} compiled graph={graph_us(comp):7.2f} us", flush=True)
                torch._dynamo.reset()
        for name, cfg in CONFIGS.items():
            if not TRIALS[name][1] <= t <= TRIALS[name][2]:
                continue
            for vname in VARIANTS:
                head = vname == "head"
                kw = dict(head=head, post_in=None, config=cfg, **sc)

                def call(head=head, kw=kw):
                    return tmhc._launch_pre(r, hfn if head else fn, scale, base, None, y,
                                            None if head else post, None if head else comb, **kw)

                def call_fused(cfg=cfg):
                    return tmhc.mhc_fused_post_pre(x, r, pin, cin, fn, scale, base, None, new, y, post,
                                                   comb, *sc.values(), config=cfg)
                want = {"head": want_h, "pre": want_p, "fused": want_f}[vname]
                f_call = call_fused if vname == "fused" else call
                try:
                    k = f_call()
                    torch.cuda.synchronize()
                    err = (y.float() - want.float()).abs().max().item()
                    us = graph_us(f_call)
                    regs = f"regs={k.n_regs:3d} spills={k.n_spills:4d}" if k is not None else "(2 kernels)         "
                    print(f"T={t:3d} {vname:4s} {name:18s} {regs} graph={us:7.2f} us  maxerr={err:.2e}", flush=True)
                except Exception as exc:
                    print(f"T={t:3d} {vname:4s} {name:18s} ERROR {type(exc).__name__}: {str(exc)[:200]}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 4, 16, 64])
