"""mhc_fused_post_pre on the GPU: the slice kernel's fused pass (``mhc_gluon.py`` with FUSED)
against post then pre, checked bit for bit, then CUDA-graph times, alternated.

    PYTHONPATH=$PWD python3 benchmarks/mhc_fused_trial.py REPS T H VARIANT [VARIANT ...]

VARIANT: ``seq`` (mhc_post then mhc_pre under the shape's default configs: the fused op's
default before session 26), ``default`` (the op's default now, ``mhc.mhc_fused_post_pre`` with
no config), or ``fused`` optionally followed by ``@knob=value,...`` (PreConfig fields without
the ``slice_`` prefix, on top of ``mhc.default_fused_config``: ``stages``, ``xs``, ``tc``,
``ws_regs``, ``fin_regs``, ``post_regs``, ``post_cs``, ``ring``, ``fin_t``, ``diag``), e.g.
``fused@stages=13,xs=2``; ``diag=3`` prints each partition's time per CTA by phase.

Checks, for every variant: the new residual equals mhc_post's bit for bit, and layer_input,
post_mix and comb_mix equal ``seq``'s bit for bit (the slice kernel fixes every operation's
order, whatever its stage count); layer_input against the float64 reference of pre on the new
residual (bf16 steps). ``MHC_TRIAL_EAGER=1`` adds do_bench times (L2 flushed before each call).
"""

from __future__ import annotations

import os
import sys

import torch
import triton.testing

from benchmarks.mhc_slice_trial import SC, bf16_steps, print_alternated, slice_knobs
from opdispatch.backends.torch_ref import mhc as ref_mhc
from opdispatch.backends.triton import mhc as tmhc

N = 4


def fused_config(name: str, t: int, h: int) -> tmhc.PreConfig:
    cfg = tmhc.default_fused_config(t, N, h)
    if cfg is None:
        raise SystemExit(f"no slice config at T={t}, H={h}")
    return slice_knobs(cfg, name.partition("@")[2])


def main(reps: int, t: int, h: int, names: list[str]) -> None:
    dev = "cuda"
    g = torch.Generator(device=dev).manual_seed(0)
    r = torch.randn(t, N, h, device=dev, generator=g).to(torch.bfloat16)
    x = torch.randn(t, h, device=dev, generator=g).to(torch.bfloat16)
    pin = torch.rand(t, N, 1, device=dev, generator=g) * 2
    cin = torch.rand(t, N, N, device=dev, generator=g)
    cin = cin / cin.sum(-1, keepdim=True)  # rows of a doubly stochastic-like mix: O(1) streams
    fn = torch.randn((2 + N) * N, N * h, device=dev, generator=g) * 1e-3
    scale = torch.rand(3, device=dev, generator=g) + 0.5
    base = torch.randn((2 + N) * N, device=dev, generator=g) * 0.1
    new = torch.empty_like(r)
    y = torch.empty(t, h, dtype=torch.bfloat16, device=dev)
    post = torch.empty(t, N, 1, device=dev)
    comb = torch.empty(t, N, N, device=dev)
    args = (SC["rms_eps"], SC["hc_pre_eps"], SC["sinkhorn_eps"], SC["post_mult"], SC["sinkhorn_iters"],
            SC["norm_eps"])

    def call(name: str):
        if name == "seq":
            tmhc.mhc_post(x, r, pin, cin, new)
            tmhc.mhc_pre(new, fn, scale, base, None, y, post, comb, *args)
        elif name == "default":
            tmhc.mhc_fused_post_pre(x, r, pin, cin, fn, scale, base, None, new, y, post, comb, *args)
        else:
            cfg = fused_config(name, t, h)
            if not tmhc.slice_ok(new, y, cfg, False, (x, r, pin, cin), SC["hc_pre_eps"]):
                raise SystemExit(f"{name}: the slice kernel cannot run it here")
            return tmhc._launch_pre(new, fn, scale, base, None, y, post, comb, head=False,
                                    post_in=(x, r, pin, cin), config=cfg, **SC)
        return None

    call("seq")
    torch.cuda.synchronize()
    want = [o.clone() for o in (new, y, post, comb)]
    y64 = ref_mhc.mhc_pre(want[0].double(), fn.double(), scale.double(), base.double(), **SC)[0]
    print(f"T={t}, n={N}, H={h}; post then pre and the float64 reference ready", flush=True)
    ulps, share = bf16_steps(want[1], y64.to(torch.bfloat16))
    print(f"{'seq':28s} layer_input vs f64: max {ulps:.2f} bf16 steps, {100 * share:.3f}% differ", flush=True)
    for name in names:
        if name == "seq":
            continue
        for o in (new, y, post, comb):
            o.fill_(float("nan"))
        polls = call(name)
        torch.cuda.synchronize()
        if isinstance(polls, torch.Tensor):  # slice_diag 3: cycles / 1024 per phase, all CTAs
            ns = h // tmhc._slice_width(h, r.device, fused_config(name, t, h).slice_w)
            us = [round(v * 1024 / ns / 1.98e3, 1) for v in polls.tolist()]
            print(f"{name:28s} us per CTA (1.98 GHz): GEMM ready wait {us[3]}, work {us[4]}, store "
                  f"{us[6]}; finisher poll {us[7]}, work {us[12]}; ws posted wait {us[10]}, pre poll "
                  f"{us[8]}, work {us[9]}; loader empty wait {us[11]}, x slot wait {us[15]}; post ready "
                  f"wait {us[13]}, work {us[14]}", flush=True)
        same = [torch.equal(a, b) for a, b in zip((new, y, post, comb), want, strict=True)]
        ulps, share = bf16_steps(y, y64.to(torch.bfloat16))
        print(f"{name:28s} bit-equal to post then pre: new {same[0]}, layer_input {same[1]}, "
              f"post {same[2]}, comb {same[3]}; layer_input vs f64: max {ulps:.2f} bf16 steps",
              flush=True)
    print_alternated(t, h, reps, names, call, 28)
    if os.environ.get("MHC_TRIAL_EAGER") == "1":
        print(f"T={t}, n={N}, H={h}, do_bench us (eager)")
        for name in names:
            us = triton.testing.do_bench(lambda n_=name: call(n_), warmup=10, rep=50, return_mode="median") * 1e3
            print(f"{name:28s} {us:7.1f}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:] or ["seq", "default"])
