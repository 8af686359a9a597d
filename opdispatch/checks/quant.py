"""``opdispatch check`` cases of the quant family (small shapes: the CPU run goes through the
Triton interpreter)."""

from __future__ import annotations

import math

import torch

from opdispatch.dispatch.checks import CheckCase, CheckResult, compare_close, register_check


def _x(gen, rows, cols, dtype=torch.bfloat16):
    x = torch.randn(rows, cols, generator=gen) * 3
    x[0, : min(cols, 32)] = 0.0  # an all-zero first group (and row 0 starts with zeros)
    return x.to(dtype)


def compare_fp8_quant(out, ref, *, scale_rtol: float = 0.0) -> CheckResult:
    """Scales equal (``scale_rtol=0``) or within ``scale_rtol``; codes within one fp8 step: one
    e4m3 step is at most 1/8 of the value (3 mantissa bits), and at most 2**-9 / 2**-10 in the
    subnormal range (covered by atol)."""
    (q, s), (q_ref, s_ref) = out, ref
    if q.shape != q_ref.shape or q.stride() != q_ref.stride() or s.stride() != s_ref.stride():
        return CheckResult(math.inf, 0.0, False, "layout (shape or strides) differs from torch_ref")
    if s.dtype == torch.int32 or scale_rtol == 0.0:
        diff = s.cpu() != s_ref.cpu()
        if bool(diff.any()):
            return CheckResult(math.inf, 0.0, False, f"{int(diff.sum())} scales differ")
    else:
        r = compare_close(s, s_ref, atol=0.0, rtol=scale_rtol)
        if not r.ok:
            return r
    return compare_close(q.float(), q_ref.float(), atol=2.0**-9, rtol=0.125)


def _silu_compare(out, ref) -> CheckResult:
    # exp/division may differ from PyTorch's in the last float32 bit: y, and so a group's amax,
    # can move by one bf16 ulp (2**-7 relative)
    return compare_fp8_quant(out, ref, scale_rtol=2.0**-7)


for _label, _rows, _cols, _gs, _kw in [
    ("7x384 g128 bf16 row-major", 7, 384, 128, {}),
    ("33x256 g128 bf16 tma-aligned ue8m0", 33, 256, 128, {"tma_aligned_scales": True, "use_ue8m0": True}),
    ("5x96 g32 fp16 column-major", 5, 96, 32, {"column_major_scales": True}),
]:
    register_check(CheckCase(
        op="per_token_group_quant_fp8", label=_label,
        make_inputs=lambda device, gen, r=_rows, c=_cols, g=_gs, kw=_kw: (
            (_x(gen, r, c, torch.float16 if g == 32 else torch.bfloat16).to(device), g), dict(kw)),
        compare=compare_fp8_quant,
    ))

register_check(CheckCase(
    op="per_token_group_quant_fp8_packed", label="7x1152 g128 (9 groups: a padded word)",
    make_inputs=lambda device, gen: ((_x(gen, 7, 1152).to(device), 128), {}),
    compare=compare_fp8_quant,
))

for _label, _kw in [("9x(2x256) g128 bf16", {}),
                    ("9x(2x256) g128 bf16 tma-aligned ue8m0", {"tma_aligned_scales": True, "use_ue8m0": True})]:
    register_check(CheckCase(
        op="silu_mul_per_token_group_quant_fp8", label=_label,
        make_inputs=lambda device, gen, kw=_kw: ((_x(gen, 9, 512).to(device), 128), dict(kw)),
        compare=_silu_compare,
    ))

register_check(CheckCase(
    op="scaled_fp8_quant", label="13x300 static",
    make_inputs=lambda device, gen: ((_x(gen, 13, 300).to(device), torch.tensor([0.02], device=device)), {}),
    compare=compare_fp8_quant,
))
register_check(CheckCase(
    op="scaled_fp8_quant", label="13x300 dynamic per-tensor, padded to 16",
    make_inputs=lambda device, gen: ((_x(gen, 13, 300).to(device),), {"num_token_padding": 16}),
    compare=compare_fp8_quant,
))
register_check(CheckCase(
    op="scaled_fp8_quant", label="13x300 dynamic per-token, scale_ub",
    make_inputs=lambda device, gen: ((_x(gen, 13, 300).to(device),),
                                     {"use_per_token_if_dynamic": True,
                                      "scale_ub": torch.tensor([4.0], device=device)}),
    compare=compare_fp8_quant,
))
