"""The slice-resident Gluon mhc_pre / hc_head (``mhc_gluon.py``) against the Triton default, on
the GPU: correctness against a float64 reference, then CUDA-graph times, alternated.

    PYTHONPATH=$PWD python3 benchmarks/mhc_slice_trial.py REPS T H VARIANT [VARIANT ...]

VARIANT: ``base`` (the shape's default config with ``slice=False``: the Triton kernel), or
``slice`` optionally followed by ``@knob=value,...`` (PreConfig fields without the ``slice_``
prefix: ``w``, ``tc``, ``stages``, ``fin_t``, ``ws_regs``, ``fin_regs``, ``diag``, ``areg``;
``out_cs`` as is), e.g.
``slice@stages=6,fin_t=2``. Each variant is checked first:

- layer_input against the float64 reference rounded to bf16: the largest difference in units
  of the reference's bf16 step, and the share of elements that differ at all;
- post_mix and comb_mix: the largest absolute difference from the float64 values;
- against ``base``: the largest layer_input difference (bf16 steps) and post/comb differences.

``MHC_TRIAL_EAGER=1`` also prints each variant's do_bench time (L2 flushed before each call).
"""

from __future__ import annotations

import os
import statistics
import sys
from dataclasses import replace

import torch
import triton
import triton.testing

from opdispatch.backends.torch_ref import mhc as ref_mhc
from opdispatch.backends.triton import mhc as tmhc
from opdispatch.dispatch.bench import graph_replay_us as graph_us

N = 4
SC = dict(rms_eps=1e-6, hc_pre_eps=1e-6, sinkhorn_eps=1e-6, post_mult=2.0, sinkhorn_iters=20,
          norm_eps=1e-6)


def slice_knobs(cfg: tmhc.PreConfig, spec: str) -> tmhc.PreConfig:
    """``cfg`` with the knobs of ``spec`` (``knob=value,...``: PreConfig fields without the
    ``slice_`` prefix, ``out_cs`` as is; the boolean ones as 0 / 1). Shared by the mHC trials."""
    for kv in filter(None, spec.split(",")):
        k, v = kv.split("=")
        field = k if k == "out_cs" else "slice_" + k
        is_bool = field in ("out_cs", "slice_areg", "slice_post_cs")
        cfg = replace(cfg, **{field: bool(int(v)) if is_bool else int(v)})
    return cfg


def print_alternated(t: int, h: int, reps: int, names: list[str], call, width: int) -> None:
    """CUDA-graph times of ``call(name)`` for each name, the names alternated ``reps`` times,
    printed as median [min-max] (the fused and norm trials)."""
    times: dict[str, list[float]] = {}
    for _ in range(reps):
        for name in names:
            times.setdefault(name, []).append(graph_us(lambda n_=name: call(n_)))
    print(f"T={t}, n={N}, H={h}, graph us, {reps} alternations (median [min-max])")
    for name in names:
        v = times[name]
        print(f"{name:{width}s} {statistics.median(v):7.1f} [{min(v):.1f}-{max(v):.1f}]", flush=True)


def config_of(name: str, t: int, h: int, head: bool) -> tmhc.PreConfig:
    cfg = replace(tmhc.default_pre_config(t, N, h, head), slice=False)
    kind, _, knobs = name.partition("@")
    if kind == "slice":
        cfg = replace(cfg, slice=True)
    return slice_knobs(cfg, knobs)


def bf16_steps(got: torch.Tensor, want: torch.Tensor) -> tuple[float, float]:
    """(largest |got - want| in units of want's bf16 step, share of elements that differ)."""
    g, w = got.double(), want.double()
    # the bf16 step of |want|, floored at that of 2^-10 (values are O(1): below that, a result
    # of cancellation, an absolute difference of one step at 2^-10 says more)
    step = 2.0 ** (torch.floor(torch.log2(w.abs().clamp_min(2.0 ** -10))) - 7)
    d = (g - w).abs()
    return (d / step).max().item(), (d > 0).double().mean().item()


class PreCase:
    """The mHC benchmarks' inputs at (T, n=4, H) on the GPU (seed 0; streams, fn, scale, base
    drawn in this order) and their outputs; ``launch(head, cfg, diag)`` runs hc_head (fn's first
    n rows) or mhc_pre through the backend under ``cfg`` (also imported by mhc_eager_probe.py
    and mhc_ncu.py)."""

    def __init__(self, t: int, h: int, dev: str = "cuda") -> None:
        self.g = torch.Generator(device=dev).manual_seed(0)
        g = self.g
        self.r = torch.randn(t, N, h, device=dev, generator=g).to(torch.bfloat16)
        self.fn = torch.randn((2 + N) * N, N * h, device=dev, generator=g) * 1e-3
        self.scale = torch.rand(3, device=dev, generator=g) + 0.5
        self.base = torch.randn((2 + N) * N, device=dev, generator=g) * 0.1
        self.y = torch.empty(t, h, dtype=torch.bfloat16, device=dev)
        self.post = torch.empty(t, N, 1, device=dev)
        self.comb = torch.empty(t, N, N, device=dev)

    def launch(self, head: bool, cfg: tmhc.PreConfig | None, diag: int = 0):
        if head:
            return tmhc._launch_pre(self.r, self.fn[:N], self.scale, self.base, None, self.y, None,
                                    None, head=True, post_in=None, config=cfg, diag=diag, **SC)
        return tmhc._launch_pre(self.r, self.fn, self.scale, self.base, None, self.y, self.post,
                                self.comb, head=False, post_in=None, config=cfg, diag=diag, **SC)


def main(reps: int, t: int, h: int, names: list[str]) -> None:
    dev = "cuda"
    case = PreCase(t, h, dev)
    g, r, fn, scale, base = case.g, case.r, case.fn, case.scale, case.base
    y, post, comb = case.y, case.post, case.comb

    def call(head: bool, name: str):
        return case.launch(head, config_of(name, t, h, head))

    # float64 references (the torch_ref functions on float64 inputs)
    r64, fn64 = r.double(), fn.double()
    want = {}
    y64, p64, c64 = ref_mhc.mhc_pre(r64, fn64, scale.double(), base.double(),
                                    **{k: v for k, v in SC.items()})
    want[False] = (y64.to(torch.bfloat16), p64, c64)
    want[True] = (ref_mhc.hc_head(r64, fn64[:N], scale.double(), base.double()[:N],
                                  rms_eps=1e-6, hc_eps=1e-6).to(torch.bfloat16),)
    del r64, fn64
    print(f"T={t}, n={N}, H={h}; float64 reference ready", flush=True)
    got_base = {}
    for name in names:
        for head in (False, True):
            polls = call(head, name)
            torch.cuda.synchronize()
            if isinstance(polls, torch.Tensor):  # slice_diag 2: poll counts; 3: cycles
                v = polls.tolist()
                print(f"{name:28s} {'head' if head else 'pre ':4s} polls: slot reuse / finisher / "
                      f"weighted sum = {v[:3]}", flush=True)
                ns = h // tmhc._slice_width(h, r.device, config_of(name, t, h, head).slice_w)
                us = [round(x * 1024 / ns / 1.98e3, 1) for x in v[3:13]]
                print(f"{'':28s} us per CTA (1.98 GHz): GEMM ready wait {us[0]}, work {us[1]}, slot "
                      f"wait {us[2]}, store+release {us[3]}; finisher poll {us[4]}, work {us[9]}; "
                      f"ws poll {us[5]}, work {us[6]}, ready wait {us[7]}; loader empty wait {us[8]}",
                      flush=True)
            outs = (y, post, comb)[:1 if head else 3]
            ulps, share = bf16_steps(outs[0], want[head][0])
            line = (f"{name:28s} {'head' if head else 'pre ':4s} layer_input vs f64: max "
                    f"{ulps:.2f} bf16 steps, {100 * share:.3f}% differ")
            if not head:
                line += (f"; post {(post.double() - want[head][1]).abs().max().item():.2e}"
                         f", comb {(comb.double() - want[head][2]).abs().max().item():.2e}")
                line += f"; comb col sums max |1-s| {(comb.sum(-2) - 1).abs().max().item():.2e}"
            if name == "base":
                got_base[head] = [o.clone() for o in outs]
            elif head in got_base:
                b = got_base[head]
                ub, sb = bf16_steps(outs[0], b[0])
                line += f"; vs base: {ub:.2f} steps ({100 * sb:.3f}%)"
                if not head:
                    line += (f", post {(post - b[1]).abs().max().item():.2e}"
                             f", comb {(comb - b[2]).abs().max().item():.2e}")
            print(line, flush=True)
    if any(nm.startswith("slice") for nm in names):
        # the coefficient kernel alone (post / comb with the Sinkhorn from the reduced mixes)
        from opdispatch.backends.triton.mhc_kernels import _mhc_coeff_kernel
        n_mix, np_ = tmhc.mix_columns(N, False)
        mix = torch.randn(t, np_, device=dev, generator=g)
        mix[:, n_mix] = mix[:, n_mix].abs() * N * h

        def coeff():
            _mhc_coeff_kernel[(triton.cdiv(t, 16),)](
                mix, t, scale, base, N * h, 1e-6, 1e-6, 1e-6, 2.0, 20, post, post.stride(0), comb,
                comb.stride(0), N_STREAMS=N, N_MIX=n_mix, NP=np_, BLOCK_T=16, num_warps=4)
        print(f"coefficient kernel alone (T={t}): {graph_us(coeff):.1f} us", flush=True)
    times: dict[tuple[str, bool], list[float]] = {}
    for _ in range(reps):
        for name in names:
            for head in (False, True):
                times.setdefault((name, head), []).append(graph_us(lambda h_=head, n_=name: call(h_, n_)))
    print(f"T={t}, n={N}, H={h}, graph us, {reps} alternations (median [min-max])")
    for name in names:
        row = []
        for head in (False, True):
            v = times[(name, head)]
            row.append(f"{'head' if head else 'pre'} {statistics.median(v):7.1f} "
                       f"[{min(v):.1f}-{max(v):.1f}]")
        print(f"{name:28s} " + "   ".join(row), flush=True)
    if os.environ.get("MHC_TRIAL_EAGER") == "1":
        # do_bench (L2 flushed before each call, host launch included): the eager figure
        print(f"T={t}, n={N}, H={h}, do_bench us (eager)")
        for name in names:
            row = []
            for head in (False, True):
                us = triton.testing.do_bench(lambda h_=head, n_=name: call(h_, n_), warmup=10, rep=50,
                                             return_mode="median") * 1e3
                row.append(f"{'head' if head else 'pre'} {us:7.1f}")
            print(f"{name:28s} " + "   ".join(row), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:] or ["base", "slice"])
