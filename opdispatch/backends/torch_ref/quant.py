"""FP8 quantization, the semantics in plain PyTorch (the oracle for every other provider), and
the scale layouts every provider shares.

Every ``*_into`` function has its op's *kernel signature*: validated inputs, preallocated
outputs written in place, returns ``None``. The math is float32 throughout.

Per-token-group quantization (``per_token_group_quant_fp8_into``), for each group ``x_g`` of
``group_size`` consecutive elements along the last dim::

    s   = max(amax(|x_g|), eps) / fp8_max          # float32, correctly rounded division
    s   = 2 ** ceil(log2(s))                        # only with use_ue8m0 (exact: a power of two)
    q_g = clamp(x_g / s, -fp8_max, fp8_max)         # then cast (round to nearest even) to fp8

Scale layouts (one implementation, here; ops allocate with them, kernels follow the strides):

- row-major: ``[..., G]`` contiguous (``G = K // group_size``).
- column-major: ``[*B, M, G]`` with strides ``(..., 1, M)``: each group's scales of all ``M``
  rows are contiguous. For 3-D and deeper inputs each leading batch is its own ``[M, G]``
  block (batch stride ``G * M``).
- TMA-aligned: as column-major with the column stride ``align(M, 4)`` (DeepGEMM reads it: a
  TMA box needs 16-byte aligned rows of float32). The padding rows are never written.
- packed ue8m0: int32 ``[M, ceil(G / 4)]`` with strides ``(1, align(M, 4))``; byte ``j`` (little
  endian) of element ``[m, c]`` is the float32 exponent field of the ue8m0 scale of group
  ``4 c + j`` (that is, ``scale = 2 ** (byte - 127)``); the bytes past ``G`` are 0.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "ROW_MAJOR",
    "COLUMN_MAJOR",
    "TMA_ALIGNED",
    "SCALE_LAYOUTS",
    "SCALED_QUANT_MODES",
    "align",
    "group_scales_layout",
    "packed_scales_layout",
    "min_dynamic_scale",
    "ceil_pow2",
    "pack_ue8m0",
    "per_token_group_quant_fp8_into",
    "per_token_group_quant_fp8_packed_into",
    "silu_mul_per_token_group_quant_fp8_into",
    "scaled_fp8_quant_into",
]

ROW_MAJOR = "row_major"
COLUMN_MAJOR = "column_major"
TMA_ALIGNED = "tma_aligned"
SCALE_LAYOUTS = (ROW_MAJOR, COLUMN_MAJOR, TMA_ALIGNED)

# The modes of scaled_fp8_quant's kernel signature.
SCALED_QUANT_MODES = ("static", "per_tensor", "per_token")

# Column stride alignment (in elements) of the TMA-aligned and packed layouts: 4 float32 or
# 4 int32 = 16 bytes, the TMA global-stride granule.
TMA_ALIGN = 4


def align(n: int, a: int) -> int:
    """``n`` rounded up to a multiple of ``a``."""
    return (n + a - 1) // a * a


def _contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, acc = [], 1
    for size in reversed(shape):
        strides.append(acc)
        acc *= max(size, 1)
    return tuple(reversed(strides))


def group_scales_layout(
    x_shape: tuple[int, ...], group_size: int, layout: str = ROW_MAJOR
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(shape, stride)`` of the float32 scales of per-token-group quantization of an input of
    shape ``x_shape = [..., K]`` in ``layout`` (row-major, column-major or TMA-aligned).

    Column-major layouts need at least 2 dims (``[*B, M, K]``)."""
    if layout not in SCALE_LAYOUTS:
        raise ValueError(f"layout must be one of {SCALE_LAYOUTS}, got {layout!r}")
    x_shape = tuple(x_shape)
    shape = (*x_shape[:-1], x_shape[-1] // group_size)
    if layout == ROW_MAJOR:
        return shape, _contiguous_strides(shape)
    if len(x_shape) < 2:
        raise ValueError(f"{layout} scales need an input of at least 2 dims, got shape {x_shape}")
    m, g = shape[-2], shape[-1]
    col_stride = max(align(m, TMA_ALIGN) if layout == TMA_ALIGNED else m, 1)
    batch = shape[:-2]
    # Each batch entry is a [M, G] block of g * col_stride elements.
    batch_strides = tuple(s * g * col_stride for s in _contiguous_strides(batch))
    return shape, (*batch_strides, 1, col_stride)


def packed_scales_layout(m: int, num_groups: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """``(shape, stride)`` of the int32 packed-ue8m0 scales of ``m`` rows of ``num_groups``
    groups: ``[m, ceil(G / 4)]``, strides ``(1, align(m, 4))``."""
    return (m, (num_groups + 3) // 4), (1, max(align(m, TMA_ALIGN), 1))


def min_dynamic_scale(fp8_max: float) -> float:
    """The floor of every dynamic scale of ``scaled_fp8_quant``: ``1 / (fp8_max * 512)``.

    With it an all-zero input gets zeros and a finite scale (vLLM's per-tensor path divides by
    a zero scale instead). Rounded to float32 the same way by every provider."""
    return float(torch.tensor(1.0 / (fp8_max * 512.0), dtype=torch.float32))


def ceil_pow2(s: torch.Tensor) -> torch.Tensor:
    """``2 ** ceil(log2(s))`` for positive float32 ``s``, exactly (``log2`` in float32 can
    round ``log2(2**k * (1 + 2**-23))`` down to ``k``; ``frexp`` cannot)."""
    mantissa, exponent = torch.frexp(s)  # s = mantissa * 2**exponent, mantissa in [0.5, 1)
    exponent = torch.where(mantissa == 0.5, exponent - 1, exponent)
    # NaN and inf (from a NaN or inf input) stay NaN and inf: frexp gives them exponent 0
    return torch.where(torch.isfinite(s), torch.ldexp(torch.ones_like(s), exponent), s)


def pack_ue8m0(scales: torch.Tensor) -> torch.Tensor:
    """Pack float32 power-of-two scales ``[M, G]`` into int32 ``[M, ceil(G / 4)]`` (contiguous;
    copy into the packed layout): byte ``j`` of column ``c`` = exponent field of group ``4c+j``."""
    m, g = scales.shape
    exponent = (scales.contiguous().view(torch.int32) >> 23) & 0xFF
    exponent = F.pad(exponent.to(torch.int64), (0, (-g) % 4))  # padding bytes are 0
    shifts = torch.tensor([0, 8, 16, 24], dtype=torch.int64, device=scales.device)
    packed = (exponent.view(m, (g + 3) // 4, 4) << shifts).sum(-1)  # the bytes do not overlap: sum == or
    packed = packed - ((packed >> 31) & 1) * (1 << 32)  # uint32 bit pattern -> int32 value
    return packed.to(torch.int32)


def _div_rn(a: torch.Tensor, b: float) -> torch.Tensor:
    """``a / b`` correctly rounded on every device.

    ``a / b`` with a Python float ``b`` is NOT a division on CUDA: PyTorch's div_true kernel
    turns a CPU-scalar divisor into ``a * (1 / b)``, which differs from the IEEE quotient in
    the last bit for about half of all ``a`` (``1 / 448`` is inexact). Dividing by a 0-d tensor
    on ``a``'s device takes the real division path (IEEE round-to-nearest on CPU and CUDA), the
    quotient the Triton kernels compute with ``tl.math.div_rn``."""
    return a / a.new_full((), b)


def _group_quant(y: torch.Tensor, group_size: int, eps: float, fp8_max: float, use_ue8m0: bool,
                 q_dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """float32 ``y [..., K]`` -> (fp8 codes ``[..., K]``, float32 scales ``[..., K // group_size]``)."""
    groups = y.unflatten(-1, (y.shape[-1] // group_size, group_size))
    amax = groups.abs().amax(dim=-1)
    scales = _div_rn(amax.clamp_min(eps), fp8_max)
    if use_ue8m0:
        scales = ceil_pow2(scales)
    codes = (groups / scales.unsqueeze(-1)).clamp(-fp8_max, fp8_max)
    return codes.flatten(-2).to(q_dtype), scales


def per_token_group_quant_fp8_into(x: torch.Tensor, q: torch.Tensor, scales: torch.Tensor,
                                   group_size: int, eps: float, fp8_max: float,
                                   use_ue8m0: bool) -> None:
    """x ``[..., K]`` (bf16/fp16/fp32) -> q ``[..., K]`` fp8 and ``scales [..., K // group_size]``
    float32 in whatever layout its strides say (see the module docstring for the formula)."""
    codes, s = _group_quant(x.float(), group_size, eps, fp8_max, use_ue8m0, q.dtype)
    q.copy_(codes)
    scales.copy_(s)


def per_token_group_quant_fp8_packed_into(x: torch.Tensor, q: torch.Tensor,
                                          scales_packed: torch.Tensor, group_size: int,
                                          eps: float, fp8_max: float) -> None:
    """x ``[M, K]`` -> q ``[M, K]`` fp8 (ue8m0 scales) and the scales packed four exponent bytes
    per int32 into ``scales_packed [M, ceil(G / 4)]`` (strides ``(1, align(M, 4))``)."""
    codes, s = _group_quant(x.float(), group_size, eps, fp8_max, True, q.dtype)
    q.copy_(codes)
    scales_packed.copy_(pack_ue8m0(s))


def silu_mul_per_token_group_quant_fp8_into(x: torch.Tensor, q: torch.Tensor,
                                            scales: torch.Tensor, group_size: int, eps: float,
                                            fp8_max: float, use_ue8m0: bool) -> None:
    """x ``[..., 2N]``: gate = ``x[..., :N]``, up = ``x[..., N:]``;
    ``y = round_to_x_dtype(silu(gate) in float32) * up`` (the product rounded to x's dtype, as
    PyTorch computes it), then per-token-group quantization of ``y [..., N]`` into q/scales."""
    n = x.shape[-1] // 2
    gate, up = x[..., :n], x[..., n:]
    y = F.silu(gate.float()).to(x.dtype) * up
    codes, s = _group_quant(y.float(), group_size, eps, fp8_max, use_ue8m0, q.dtype)
    q.copy_(codes)
    scales.copy_(s)


def scaled_fp8_quant_into(x: torch.Tensor, q: torch.Tensor, scale: torch.Tensor,
                          scale_ub: torch.Tensor | None, mode: str, fp8_max: float) -> None:
    """x ``[T, K]`` -> q ``[P, K]`` fp8 (``P >= T``; rows ``T..P`` are padding).

    ``mode``:
    - ``static``: ``scale`` (float32, one element) is given; ``q = clamp(x / scale)``.
    - ``per_tensor``: ``scale[0] = max(amax(|x|) / fp8_max, 1 / (fp8_max * 512))`` is written.
    - ``per_token``: ``scale [P, 1]``; row t gets ``max(a_t / fp8_max, 1 / (fp8_max * 512))``
      with ``a_t = amax(|x_t|)``, or ``min(a_t, scale_ub)`` when ``scale_ub`` is given.

    Padding rows quantize as if x had zero rows there: q = 0, and in per-token mode the floor
    scale (vLLM leaves both unwritten)."""
    t = x.shape[0]
    xf = F.pad(x.float(), (0, 0, 0, q.shape[0] - t))  # the zero padding rows
    floor = min_dynamic_scale(fp8_max)
    # |x| >= 0, so one extra 0 per row changes no max and makes an empty row give 0.
    magnitudes = F.pad(xf.abs(), (0, 1))
    if mode == "static":
        s = scale.reshape(1, 1).float()
    elif mode == "per_tensor":
        amax = torch.cat([magnitudes.flatten(), magnitudes.new_zeros(1)]).amax()
        s = _div_rn(amax, fp8_max).clamp_min(floor).reshape(1, 1)
        scale.copy_(s.reshape(scale.shape))
    elif mode == "per_token":
        amax = magnitudes.amax(dim=-1, keepdim=True)
        if scale_ub is not None:
            amax = torch.minimum(amax, scale_ub.reshape(1, 1).float())
        s = _div_rn(amax, fp8_max).clamp_min(floor)
        scale.copy_(s.reshape(scale.shape))
    else:
        raise ValueError(f"mode must be one of {SCALED_QUANT_MODES}, got {mode!r}")
    q.copy_((xf / s).clamp(-fp8_max, fp8_max).to(q.dtype))
