"""``opdispatch check`` cases of the mHC ops (small shapes: on CPU the Triton provider runs
through the interpreter)."""

from __future__ import annotations

import torch

from opdispatch.dispatch.checks import CheckCase, CheckResult, compare_close, register_check

# One bf16 step relative to the value (torch rounds to nearest; the interpreter truncates).
BF16_STEP = 2.0**-7
# post/comb are float32 functions of the mixes; the GEMM differs from torch's by summation order
# (GPU: fn carried to 2^-17 in bf16 hi+lo parts): 1e-4 absolute on values <= 2.
COEF_ATOL = 1e-4


def _pre_inputs(device, gen, t, n, h, head=False):
    residual = torch.randn(t, n, h, generator=gen).to(torch.bfloat16)
    n_mix = n if head else (2 + n) * n
    fn = torch.randn(n_mix, n * h, generator=gen) / (n * h) ** 0.5
    scale = torch.tensor([0.8] if head else [0.8, 1.1, 2.0])
    base = torch.randn(n_mix, generator=gen) * 0.5
    return [v.to(device) for v in (residual, fn, scale, base)]


def _post_inputs(device, gen, t, n, h):
    x = torch.randn(t, h, generator=gen).to(torch.bfloat16)
    residual = torch.randn(t, n, h, generator=gen).to(torch.bfloat16)
    post = torch.rand(t, n, 1, generator=gen) * 2
    comb = torch.rand(t, n, n, generator=gen)
    return [v.to(device) for v in (x, residual, post, comb)]


def _worst(results: list[CheckResult]) -> CheckResult:
    for r in results:
        if not r.ok:
            return r
    return max(results, key=lambda r: r.max_err / r.tol if r.tol else 0.0)


def compare_pre(out, ref, *, y_steps: int = 1, coef_atol: float = COEF_ATOL) -> CheckResult:
    (y, post, comb), (y_ref, post_ref, comb_ref) = out, ref
    return _worst([
        compare_close(y, y_ref, atol=5e-4, rtol=y_steps * BF16_STEP),
        compare_close(post, post_ref, atol=coef_atol, rtol=0.0),
        compare_close(comb, comb_ref, atol=coef_atol, rtol=0.0),
    ])


def fused_outputs(res, args, kwargs):
    """The op's four outputs plus the reference pre evaluated on the op's own new residual."""
    from opdispatch.backends.torch_ref import mhc as ref_mhc

    fn, scale, base = args[4:7]
    return (*res, *ref_mhc.mhc_pre(res[0], fn, scale, base, **kwargs))


def compare_fused(out, ref) -> CheckResult:
    # The new residual against the reference's (one rounding step: the interpreter truncates);
    # the pre half against the reference pre run on the new residual the provider produced: a
    # one-step difference in every element (truncation is biased) would otherwise move the
    # mixes by ~1e-3 and hide real errors behind a loose tolerance.
    return _worst([compare_close(out[0], ref[0], atol=1e-5, rtol=BF16_STEP),
                   compare_pre(out[1:4], out[4:7])])


def _mhc_pre_case(t, h, norm):
    def make(device, gen):
        r, fn, s, b = _pre_inputs(device, gen, t, 4, h)
        kwargs = {"norm_weight": (torch.rand(h, generator=gen) + 0.5).to(device)} if norm else {}
        return (r, fn, s, b), kwargs

    return CheckCase(op="mhc_pre", label=f"T={t} n=4 H={h}{' norm' if norm else ''}", make_inputs=make,
                     compare=lambda o, r: compare_pre(o, r, y_steps=2 if norm else 1))


register_check(_mhc_pre_case(7, 256, False))
register_check(_mhc_pre_case(33, 100, True))
register_check(CheckCase(
    op="mhc_post", label="T=33 n=4 H=130",
    make_inputs=lambda device, gen: (tuple(_post_inputs(device, gen, 33, 4, 130)), {}),
    compare=lambda o, r: compare_close(o, r, atol=1e-5, rtol=BF16_STEP)))
register_check(CheckCase(
    op="hc_head", label="T=7 n=4 H=256",
    make_inputs=lambda device, gen: (tuple(_pre_inputs(device, gen, 7, 4, 256, head=True)), {}),
    compare=lambda o, r: compare_close(o, r, atol=5e-4, rtol=BF16_STEP)))
register_check(CheckCase(
    op="mhc_fused_post_pre", label="T=7 n=4 H=128",
    make_inputs=lambda device, gen: ((*_post_inputs(device, gen, 7, 4, 128),
                                      *_pre_inputs(device, gen, 7, 4, 128)[1:]), {}),
    compare=compare_fused, outputs=fused_outputs))
