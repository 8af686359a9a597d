"""Where mhc_pre's time goes, per config: registers, spills, and CUDA-graph time of the whole
kernel, of the GEMM phase alone (DIAG=1) and of the weighted-sum phase alone (DIAG=2).

    PYTHONPATH=$PWD python3 benchmarks/mhc_diag.py [T]
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace

import torch

from opdispatch.backends.triton import mhc as tmhc

sys.path.insert(0, "benchmarks")
from mhc_graph_times import graph_us  # noqa: E402

N, H = 4, 7168
C = tmhc.PreConfig
CONFIGS = {
    "bt64-bh64-s512-w4": C(block_t=64, block_h=64, split_h=512),
    "bt64-bh64-s512-w4-st3": C(block_t=64, block_h=64, split_h=512, num_stages=3),
    "bt64-bh64-s1024-w4": C(block_t=64, block_h=64, split_h=1024),
    "bt128-bh64-s512-w8": C(block_t=128, block_h=64, split_h=512, num_warps=8),
    "bt64-bh128-s512-w8": C(block_t=64, block_h=128, split_h=512, num_warps=8),
    # session 4: one (H-block, stream) pair per iteration, squares and fn hi|lo on the tensor cores
    "flat-sq-cat-s1024-w4-st3": C(block_t=64, block_h=64, split_h=1024, num_stages=3, flat=True, sq_dot=True, fn_cat=True),
    "flat-sq-cat-s1024-w8-st3": C(block_t=64, block_h=64, split_h=1024, num_warps=8, num_stages=3, flat=True, sq_dot=True, fn_cat=True),
    "flat-sq-cat-s1024-w8-st4": C(block_t=64, block_h=64, split_h=1024, num_warps=8, num_stages=4, flat=True, sq_dot=True, fn_cat=True),
    "flat-sq-s1024-w8-st3": C(block_t=64, block_h=64, split_h=1024, num_warps=8, num_stages=3, flat=True, sq_dot=True),
    "flat-s1024-w8-st3": C(block_t=64, block_h=64, split_h=1024, num_warps=8, num_stages=3, flat=True),
    "flat-sq-cat-bh128-s1024-w8-st3": C(block_t=64, block_h=128, split_h=1024, num_warps=8, num_stages=3, flat=True, sq_dot=True, fn_cat=True),
    "flat-sq-cat-s512-w8-st3": C(block_t=64, block_h=64, split_h=512, num_warps=8, num_stages=3, flat=True, sq_dot=True, fn_cat=True),
    # small items / short lags (L2 reuse distance)
    # the finishing (Sinkhorn) tile: fin_t tokens at a time
    "flat-sq-cat-s1024-w8-st4-fin32": C(block_t=64, block_h=64, split_h=1024, num_warps=8, num_stages=4, fin_t=32, flat=True, sq_dot=True, fn_cat=True),
    "flat-sq-cat-s1024-w8-st4-fin64": C(block_t=64, block_h=64, split_h=1024, num_warps=8, num_stages=4, fin_t=64, flat=True, sq_dot=True, fn_cat=True),
    "flat-sq-cat-s1024-w4-st3-fin64": C(block_t=64, block_h=64, split_h=1024, num_warps=4, num_stages=3, fin_t=64, flat=True, sq_dot=True, fn_cat=True),
    "flat-sq-cat-s256-w8-st3-lag1": C(block_t=64, block_h=64, split_h=256, num_warps=8, num_stages=3, lag=1, flat=True, sq_dot=True, fn_cat=True),
    # session 5: the default from T = 8192, and the same with fn split into a bf16 hi|lo copy first
    "dflt8192": tmhc.default_pre_config(8192, 4, 7168),
    "dflt8192-fnpre": replace(tmhc.default_pre_config(8192, 4, 7168), fn_pre=True),
    "dflt8192-fnpre-w8": replace(tmhc.default_pre_config(8192, 4, 7168), fn_pre=True, num_warps=8),
    "dflt8192-fnpre-st4": replace(tmhc.default_pre_config(8192, 4, 7168), fn_pre=True, num_stages=4),
    "dflt8192-fnpre-bh128": replace(tmhc.default_pre_config(8192, 4, 7168), fn_pre=True, block_h=128,
                                    num_stages=2),
    # for the next session (not run yet): smaller work items, so that the weighted sums find the
    # streams in L2. In-flight data is about (resident programs) x (item bytes); the default's
    # items are 64 x 4 x 1024 x 2 B = 512 KB, ~200 MB over 396 resident programs, far over the
    # 50 MB L2, so its weighted sums read from HBM (docs/ops/mhc.md, "What 70% needs")
    "l2-bt64-s256": replace(tmhc.default_pre_config(8192, 4, 7168), block_h=64, split_h=256, num_stages=3),
    "l2-bt32-s512": replace(tmhc.default_pre_config(8192, 4, 7168), block_t=32, block_h=64, split_h=512,
                            fin_t=32, num_stages=3),
    "l2-bt32-s256": replace(tmhc.default_pre_config(8192, 4, 7168), block_t=32, block_h=64, split_h=256,
                            fin_t=32, num_stages=3),
    "l2-bt32-s256-lag14": replace(tmhc.default_pre_config(8192, 4, 7168), block_t=32, block_h=64,
                                  split_h=256, fin_t=32, num_stages=3, lag=14),
    "l2-bt32-s256-lag20": replace(tmhc.default_pre_config(8192, 4, 7168), block_t=32, block_h=64,
                                  split_h=256, fin_t=32, num_stages=3, lag=20),
    "l2-bt64-s128": replace(tmhc.default_pre_config(8192, 4, 7168), block_h=64, split_h=128, num_stages=3,
                            fin_s=8),
}
# session 13: read the streams (nearly) once. Each item writes the weighted sum of its own tile and
# split right after the tile's coefficients are ready (own: lag 0), so the re-read is of data the
# program read a moment ago (L2); the last fin_par arrivals of a tile finish it in parallel.
# (pinned to the weighted-sum settings of that time, so the names keep their meaning after the
# session 18 default took ws_t 16 and out_cs)
_D = replace(tmhc.default_pre_config(8192, 4, 7168), block_h=128, num_stages=2, ws_t=8, out_cs=False)
CONFIGS.update({
    "own-s1024": replace(_D, own=True),
    "own-s512": replace(_D, split_h=512, own=True),
    "own-s512-fp4": replace(_D, split_h=512, own=True, fin_par=4, fin_t=16, fin_s=16),
    "own-s256": replace(_D, split_h=256, own=True),
    "own-s256-fp4": replace(_D, split_h=256, own=True, fin_par=4, fin_t=16, fin_s=16),
    "own-s128-fp4": replace(_D, split_h=128, out_block_h=128, own=True, fin_par=4, fin_t=16, fin_s=16),
    "own-s128-fp8": replace(_D, split_h=128, out_block_h=128, own=True, fin_par=8, fin_t=8, fin_s=32),
    "lag-s128-fp4": replace(_D, split_h=128, out_block_h=128, fin_par=4, fin_t=16, fin_s=16),
    "lag-s1024-fp4": replace(_D, fin_par=4, fin_t=16, fin_s=16),
    # the finishers publish pre before post and the Sinkhorn (early_flag)
    "dflt8192-ef": replace(tmhc.default_pre_config(8192, 4, 7168), early_flag=True),
    "own-s1024-ef": replace(_D, own=True, early_flag=True),
    "own-s512-fp4-ef": replace(_D, split_h=512, own=True, fin_par=4, fin_t=16, fin_s=16, early_flag=True),
    "own-s256-fp4-ef": replace(_D, split_h=256, own=True, fin_par=4, fin_t=16, fin_s=16, early_flag=True),
    "own-s256-fp8-ef": replace(_D, split_h=256, own=True, fin_par=8, fin_t=8, fin_s=32, early_flag=True),
    "own-s128-fp8-ef": replace(_D, split_h=128, out_block_h=128, own=True, fin_par=8, fin_t=8, fin_s=32,
                               early_flag=True),
    # fewer resident programs (deeper pipelines take more shared memory), so that the in-flight
    # data between an item's read and its weighted sum's re-read fits L2 (ncu, session 13: the
    # own-tile schedule at 3 programs per SM still read 825 MB from DRAM)
    "own-s128-fp8-ef-st3": replace(_D, split_h=128, out_block_h=128, own=True, fin_par=8, fin_t=8, fin_s=32,
                                   early_flag=True, num_stages=3),
    "own-s128-fp8-ef-st4": replace(_D, split_h=128, out_block_h=128, own=True, fin_par=8, fin_t=8, fin_s=32,
                                   early_flag=True, num_stages=4),
    "own-s256-fp8-ef-st3": replace(_D, split_h=256, own=True, fin_par=8, fin_t=8, fin_s=32, early_flag=True,
                                   num_stages=3),
    "own-s256-fp8-ef-st4": replace(_D, split_h=256, own=True, fin_par=8, fin_t=8, fin_s=32, early_flag=True,
                                   num_stages=4),
    "own-s256-fp8-ef-w8-st4": replace(_D, split_h=256, own=True, fin_par=8, fin_t=8, fin_s=32, early_flag=True,
                                      num_stages=4, num_warps=8),
    "own-s256-fp8-ef-w8-st3": replace(_D, split_h=256, own=True, fin_par=8, fin_t=8, fin_s=32, early_flag=True,
                                      num_stages=3, num_warps=8),
    "own-s256-fp4-ef-st3": replace(_D, split_h=256, own=True, fin_par=4, fin_t=16, fin_s=16, early_flag=True,
                                   num_stages=3),
    "own-s256-fp16-ef-st3": replace(_D, split_h=256, own=True, fin_par=16, fin_t=4, fin_s=64, early_flag=True,
                                    num_stages=3),
    "own-s512-fp8-ef-st3": replace(_D, split_h=512, own=True, fin_par=8, fin_t=8, fin_s=32, early_flag=True,
                                   num_stages=3),
    "own-bt32-s256-fp4-ef-st3": replace(_D, block_t=32, split_h=256, own=True, fin_par=4, fin_t=8, fin_s=32,
                                        early_flag=True, num_stages=3),
    "own-s256-fp8-ef-bh64-st3": replace(_D, block_h=64, split_h=256, out_block_h=256, own=True, fin_par=8,
                                        fin_t=8, fin_s=32, early_flag=True, num_stages=3),
    "own-s256-fp8-ef-bh64-st5": replace(_D, block_h=64, split_h=256, out_block_h=256, own=True, fin_par=8,
                                        fin_t=8, fin_s=32, early_flag=True, num_stages=5),
    # session 13, after the bounded waits: spin=1 makes nearly every wait give up at once, so the
    # hand-over paths run under real concurrency (the bit-identity check against the twin tests them)
    "own-s256-fp8-ef-st3-sp1": replace(_D, split_h=256, own=True, fin_par=8, fin_t=8, fin_s=32, early_flag=True,
                                       num_stages=3, spin=1),
    "own-s256-fp16-ef-st3-sp1": replace(_D, split_h=256, own=True, fin_par=16, fin_t=4, fin_s=64,
                                        early_flag=True, num_stages=3, spin=1),
    "own-s256-fp4-ef-w8": replace(_D, split_h=256, own=True, fin_par=4, fin_t=16, fin_s=16, early_flag=True,
                                  num_warps=8),
    # session 18: the new default from T = 4096 (16-token weighted-sum steps, streaming stores)
    "own-s256-fp8-ef-st3-ws16-cs": replace(_D, split_h=256, own=True, fin_par=8, fin_t=8, fin_s=32,
                                           early_flag=True, num_stages=3, ws_t=16, out_cs=True),
})
if os.environ.get("MHC_DIAG_CONFIGS"):   # comma-separated names: time only those
    CONFIGS = {k: CONFIGS[k] for k in os.environ["MHC_DIAG_CONFIGS"].split(",")}  # in the order given
VARIANTS = ("pre", "head")  # add "fused" for the one-pass post+pre kernel
DIAGS = tuple(int(d) for d in os.environ.get("MHC_DIAG_PHASES", "0").split(","))  # 0,1,2: phases apart


def main(t: int) -> None:
    dev = "cuda"
    g = torch.Generator(device=dev).manual_seed(0)
    r = torch.randn(t, N, H, device=dev, generator=g).to(torch.bfloat16)
    x = torch.randn(t, H, device=dev, generator=g).to(torch.bfloat16)
    fn = torch.randn((2 + N) * N, N * H, device=dev, generator=g) * 1e-3
    scale = torch.rand(3, device=dev, generator=g) + 0.5
    base = torch.randn((2 + N) * N, device=dev, generator=g) * 0.1
    pin = torch.rand(t, N, 1, device=dev, generator=g)
    cin = torch.rand(t, N, N, device=dev, generator=g)
    y = torch.empty(t, H, dtype=torch.bfloat16, device=dev)
    post = torch.empty(t, N, 1, device=dev)
    comb = torch.empty(t, N, N, device=dev)
    new = torch.empty_like(r)
    sc = dict(rms_eps=1e-6, hc_pre_eps=1e-6, sinkhorn_eps=1e-6, post_mult=2.0, sinkhorn_iters=20,
              norm_eps=1e-6)
    post_out = torch.empty_like(r)
    print(f"mhc_post default: graph {graph_us(lambda: tmhc.mhc_post(x, r, pin, cin, post_out)):.1f} us", flush=True)
    for name, cfg in CONFIGS.items():
        variants = {
            "pre": dict(res=r, head=False, post_in=None),
            "head": dict(res=r, head=True, post_in=None),
            "fused": dict(res=new, head=False, post_in=(x, r, pin, cin)),
        }
        for vname, v in variants.items():
            if vname not in VARIANTS:
                continue
            for diag in (DIAGS if vname == "pre" else (0,)):
                f = (fn[:N] if v["head"] else fn)
                kw = dict(head=v["head"], post_in=v["post_in"], config=cfg, diag=diag, **sc)

                def call(v=v, f=f, kw=kw):
                    return tmhc._launch_pre(v["res"], f, scale, base, None, y,
                                            None if v["head"] else post, None if v["head"] else comb, **kw)
                try:
                    t0 = time.time()
                    k = call()
                    torch.cuda.synchronize()
                    comp = time.time() - t0
                    us = graph_us(call)
                    twin = replace(cfg, own=False, fin_par=1, fin_t=cfg.block_t, early_flag=False)
                    if diag == 0 and vname != "fused" and twin != cfg:
                        # the same sums in the same order without the waits: bit-identical
                        got = (y.clone(), post.clone(), comb.clone())
                        call(kw=dict(kw, config=twin))
                        same = [torch.equal(a, b) for a, b in zip(got, (y, post, comb), strict=True)]
                        print(f"{name:20s} {vname:5s} bit-identical to its twin (y, post, comb): {same}",
                              flush=True)
                    print(f"{name:20s} {vname:5s} diag={diag} regs={k.n_regs:3d} spills={k.n_spills:5d} "
                          f"graph={us:8.1f} us  (compile {comp:.1f} s)", flush=True)
                except Exception as exc:
                    print(f"{name:20s} {vname:5s} diag={diag} ERROR {type(exc).__name__}: {str(exc)[:200]}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8192)
