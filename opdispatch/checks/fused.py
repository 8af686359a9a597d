"""``opdispatch check`` cases of the fused ops (small shapes: the CPU run goes through the Triton
interpreter)."""

from __future__ import annotations

import math

import torch

from opdispatch.dispatch.checks import CheckCase, CheckResult, compare_close, register_check


def rope_quant_inputs(device, gen, *, num_tokens=7, heads=4, n_groups=2, nope_dim=192,
                      rope_dim=64, quant_group_size=128, packed=False):
    """Small fused_inv_rope_fp8_quant inputs (odd T, two groups of two heads of 256)."""
    o = torch.randn(num_tokens, heads, nope_dim + rope_dim, generator=gen).to(torch.bfloat16)
    positions = torch.randint(0, 64, (num_tokens,), generator=gen)
    angles = torch.rand(64, rope_dim // 2, generator=gen) * 6.3
    cache = torch.cat((angles.cos(), angles.sin()), dim=1)
    args = (o.to(device), positions.to(device), cache.to(device), n_groups, heads // n_groups)
    return args, {"nope_dim": nope_dim, "rope_dim": rope_dim,
                  "quant_group_size": quant_group_size, "tma_aligned_scales": packed}


def compare_fp8_quant(out, ref) -> CheckResult:
    """fp8 codes may differ by one step where float32 rounding of the rope math differs (an FMA
    on the GPU); scales must be equal. Compared as dequantised values: |q*s - q_ref*s_ref| must
    be at most one fp8 step (2**-3 relative to the chunk scale times the value's binade)."""
    (q, s), (q_ref, s_ref) = out, ref
    if q.shape != q_ref.shape or q.stride() != q_ref.stride() or s.stride() != s_ref.stride():
        return CheckResult(math.inf, 0.0, False, "layout (shape or strides) differs from torch_ref")
    if s.dtype == torch.int32:
        same = torch.equal(s.cpu(), s_ref.cpu())
        detail = "" if same else f"{int((s.cpu() != s_ref.cpu()).sum())} packed scale words differ"
        if not same:
            return CheckResult(math.inf, 0.0, False, detail)
    elif not torch.equal(s.cpu(), s_ref.cpu()):
        return CheckResult(math.inf, 0.0, False, f"{int((s.cpu() != s_ref.cpu()).sum())} scales differ")
    # One e4m3 step is 2**-3 of the value's binade, so at most 1/8 relative (subnormals: the
    # step 2**-9 is covered by atol).
    return compare_close(q.float(), q_ref.float(), atol=2.0**-9, rtol=0.125)


for _packed in (False, True):
    register_check(CheckCase(
        op="fused_inv_rope_fp8_quant",
        label=f"T=7 2x2 heads x 256 {'ue8m0-int32' if _packed else 'fp32'} scales",
        make_inputs=lambda device, gen, p=_packed: rope_quant_inputs(device, gen, packed=p),
        compare=compare_fp8_quant,
    ))


def mtp_rmsnorm_inputs(device, gen, *, num_tokens=5, hidden=200, hc_mult=3):
    """Small fused_mtp_input_rmsnorm inputs; tokens 0 and 3 at position 0."""
    emb = torch.randn(num_tokens, hidden, generator=gen).to(torch.bfloat16)
    positions = torch.arange(num_tokens) % 3
    prev = torch.randn(num_tokens, hc_mult, hidden, generator=gen).to(torch.bfloat16)
    ew = (1 + 0.1 * torch.randn(hidden, generator=gen)).to(torch.bfloat16)
    hw = (1 + 0.1 * torch.randn(hidden, generator=gen)).to(torch.bfloat16)
    return tuple(t.to(device) for t in (emb, positions, prev, ew, hw)) + (1e-6, hc_mult), {}


register_check(CheckCase(
    op="fused_mtp_input_rmsnorm",
    label="T=5 H=200 hc=3 bf16",
    make_inputs=mtp_rmsnorm_inputs,
    # bf16 outputs: both sides round a float32 value whose computations differ by a few float32
    # ulps (sum order, rsqrt), so they may land one bf16 step apart: 2**-7 relative.
    compare=lambda out, ref: compare_close(out, ref, atol=1e-6, rtol=2.0**-7),
))
