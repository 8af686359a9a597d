"""mhc_pre with norm_weight (and the fused post+pre with it) in the slice-resident Gluon kernel
(``mhc_gluon.py``, NORM) against the Triton kernel, on the GPU: correctness first, then
CUDA-graph times, alternated.

    PYTHONPATH=$PWD python3 benchmarks/mhc_norm_trial.py REPS T H VARIANT [VARIANT ...]

VARIANT:
- ``triton``: mhc_pre with norm_weight on the Triton kernel (the default before session 27);
- ``plain``: the slice kernel without norm_weight (mhc_pre's default: what the norm costs);
- ``slice`` optionally followed by ``@knob=value,...`` (PreConfig fields without the ``slice_``
  prefix, e.g. ``slice@norm_lag=4,norm_fin_lag=2,diag=3``): mhc_pre with norm_weight on the
  slice kernel;
- ``fused-pp``: the fused op's old default with norm_weight, mhc_post then the Triton mhc_pre;
- ``fused`` with the same knobs: the fused op with norm_weight in one slice-kernel pass (the
  fused default's config with them).

Checks, printed per variant: layer_input against the float64 reference (in units of its bf16
step, and the share of elements that differ), against the Triton kernel's normalised output;
post_mix / comb_mix bit for bit against ``plain`` (the norm must not touch them); ``fused``
bit for bit against ``slice`` with the same knobs run on mhc_post's output.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import torch

from benchmarks.mhc_slice_trial import SC, PreCase, bf16_steps, print_alternated, slice_knobs
from opdispatch.backends.torch_ref import mhc as ref_mhc
from opdispatch.backends.triton import mhc as tmhc

N = 4


def main(reps: int, t: int, h: int, names: list[str]) -> None:
    dev = "cuda"
    case = PreCase(t, h, dev)  # streams, fn, scale, base and outputs as the other mHC trials
    g, r, fn, scale, base = case.g, case.r, case.fn, case.scale, case.base
    y, post, comb = case.y, case.post, case.comb
    nw = (torch.rand(h, device=dev, generator=g) + 0.5).to(torch.bfloat16)
    x = torch.randn(t, h, device=dev, generator=g).to(torch.bfloat16)
    pin = torch.rand(t, N, 1, device=dev, generator=g) * 2
    cin = torch.softmax(torch.randn(t, N, N, device=dev, generator=g), dim=-1)
    new = torch.empty_like(r)
    pcfg = tmhc.default_pre_config(t, N, h)
    fcfg = tmhc.default_fused_config(t, N, h)
    triton_cfg = replace(pcfg, slice=False)

    def pre(cfg, norm, res=r):
        return tmhc._launch_pre(res, fn, scale, base, norm, y, post, comb, head=False,
                                post_in=None, config=cfg, **SC)

    def call(name: str):
        kind, _, spec = name.partition("@")
        if kind == "triton":
            return pre(triton_cfg, nw)
        if kind == "plain":
            return pre(pcfg, None)
        if kind == "slice":
            return pre(slice_knobs(pcfg, spec), nw)
        if kind == "fused-pp":
            tmhc.mhc_post(x, r, pin, cin, new)
            return pre(triton_cfg, nw, new)
        if kind == "fused":
            return tmhc._launch_pre(new, fn, scale, base, nw, y, post, comb, head=False,
                                    post_in=(x, r, pin, cin), config=slice_knobs(fcfg, spec), **SC)
        raise ValueError(name)

    # float64 references: pre on r, and pre on mhc_post's output (the fused variants)
    new_ref = torch.empty_like(r)
    tmhc.mhc_post(x, r, pin, cin, new_ref)
    want = {}
    for key, res in (("pre", r), ("fused", new_ref)):
        y64, _, _ = ref_mhc.mhc_pre(res.double(), fn.double(), scale.double(), base.double(),
                                    norm_weight=nw.double(), **{k: v for k, v in SC.items()})
        want[key] = y64
    print(f"T={t}, n={N}, H={h}; float64 references ready", flush=True)
    pre(pcfg, None)
    plain = (post.clone(), comb.clone())
    pre(triton_cfg, nw)
    tri_y = y.clone()
    tmhc.mhc_post(x, r, pin, cin, new)
    pre(triton_cfg, nw, new)
    tri_fused_y = y.clone()
    for name in names:
        for o in (y, post, comb, new):
            o.fill_(float("nan"))
        diag = call(name)
        torch.cuda.synchronize()
        fused = name.startswith("fused")
        key = "fused" if fused else "pre"
        ulps, share = bf16_steps(y, want[key].to(torch.bfloat16))
        ut, st = bf16_steps(y, tri_fused_y if fused else tri_y)
        line = (f"{name:36s} layer_input vs f64: max {ulps:.2f} bf16 steps ({100 * share:.3f}% "
                f"differ); vs the Triton kernel: {ut:.2f} steps ({100 * st:.3f}%)")
        if not fused:
            line += (f"; post / comb bit-equal to plain: {torch.equal(post, plain[0])} / "
                     f"{torch.equal(comb, plain[1])}")
        if fused:
            line += f"; new residual bit-equal to mhc_post: {torch.equal(new, new_ref)}"
        if name.startswith("fused@") or name == "fused":
            got = (y.clone(), post.clone(), comb.clone())
            spec = name.partition("@")[2]
            pre(slice_knobs(pcfg, spec), nw, new_ref)
            same = [torch.equal(a, b) for a, b in zip(got, (y, post, comb), strict=True)]
            line += f"; bit-equal to post then slice pre: {same}"
        print(line, flush=True)
        if isinstance(diag, torch.Tensor):  # slice_diag 3: cycles / 1024 per phase, all CTAs
            ns = h // 64
            us = [round(v * 1024 / ns / 1.98e3, 1) for v in diag.tolist()]
            print(f"{'':36s} us per CTA (1.98 GHz): GEMM ready wait {us[3]}, work {us[4]}; "
                  f"finisher poll {us[7]}, work {us[12]}, norm poll {us[16]}; ws wait {us[10]}, "
                  f"pre poll {us[8]}, work {us[9]}, norm poll {us[17]}, rescale {us[18]}, whole "
                  f"loop {us[19]}; loader empty wait {us[11]}", flush=True)
    print_alternated(t, h, reps, [n for n in names if "diag=" not in n], call, 36)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:] or ["triton", "slice"])
