"""FP8 quantization: per-token-group (plain, packed ue8m0, fused SiLU-mul) and per-tensor /
per-token (``scaled_fp8_quant``), the quantizers in front of every FP8 GEMM.

Semantics follow vLLM's so that an engine can swap this library in, with three fixes: an
all-zero input gives zeros and a finite scale (never NaN), any number of rows works (no
multiple-of-128 requirement), and every offset is int64 (inputs past 2**31 elements work).

Providers: torch_ref (all), triton (all), aiter (per_token_group_quant_fp8 where its semantics
match, see :mod:`opdispatch.backends.rocm.quant`). Formulas and scale layouts:
:mod:`opdispatch.backends.torch_ref.quant`.
"""

from __future__ import annotations

import math

import torch

from opdispatch.backends.rocm import quant as rocm_quant
from opdispatch.backends.torch_ref import quant as ref
from opdispatch.dispatch import CustomOp, current_platform, fp8_max_of, kernel_op, register_impl
from opdispatch.dispatch.alloc import empty
from opdispatch.dispatch.platform import is_fp8_dtype
from opdispatch.dispatch.registry import fp8_note
from opdispatch.dispatch.validate import check_bool, check_positive_int, check_same_device, check_tensor
from opdispatch.warmup import register_warmup

__all__ = [
    "PerTokenGroupQuantFP8",
    "PerTokenGroupQuantFP8Packed",
    "SiluMulPerTokenGroupQuantFP8",
    "ScaledFP8Quant",
    "per_token_group_quant_fp8",
    "per_token_group_quant_fp8_packed",
    "silu_mul_per_token_group_quant_fp8",
    "scaled_fp8_quant",
]

_ACT_DTYPES = (torch.bfloat16, torch.float16, torch.float32)
_AITER_FLAG = "VLLM_ROCM_USE_AITER_QUANT"
# Kernels index a row's columns in int32 (row offsets are int64).
_MAX_COLS = 2**31 - 1


# ---------------------------------------------------------------------------------------------
# validation helpers (metadata only: no device reads)
# ---------------------------------------------------------------------------------------------



def _check_eps(eps: object) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float)):
        raise TypeError(f"eps must be a float, got {type(eps).__name__}")
    # Plain comparisons, not math.isfinite: this front is traced by dynamo (torch.compile), which
    # cannot trace math.* on a float that may be symbolic. False for NaN, 0, negatives and inf.
    if not (0.0 < eps < math.inf):
        raise ValueError(f"eps must be a finite float > 0 (it keeps an all-zero group's scale "
                         f"finite), got {eps}")
    return float(eps)


def _fp8_dtype(dtype: object) -> torch.dtype:
    """``dtype`` or, when None, the platform's fp8 dtype."""
    if dtype is None:
        return current_platform().fp8_dtype
    if not isinstance(dtype, torch.dtype) or not is_fp8_dtype(dtype):
        raise TypeError(f"dtype must be None, torch.float8_e4m3fn or torch.float8_e4m3fnuz, got {dtype}")
    return dtype


def _check_rows_view(name: str, t: torch.Tensor) -> None:
    """Kernels see ``t [..., M, C]`` as ``[B, M, C]``: the dims before the last two must
    collapse into one (true for any contiguous tensor)."""
    for i in range(t.dim() - 3):
        if t.shape[i + 1] > 1 and t.shape[i] > 1 and t.stride(i) != t.stride(i + 1) * t.shape[i + 1]:
            raise ValueError(f"{name}: the dims before the last two must be collapsible into one "
                             f"(e.g. a contiguous tensor), got shape {list(t.shape)} strides {t.stride()}")


def _check_input(name: str, x: object, *, ndim: int | None = None) -> torch.Tensor:
    x = check_tensor(name, x, dtypes=_ACT_DTYPES, ndim=ndim, last_dim_contiguous=True)
    if x.dim() == 0:
        raise ValueError(f"{name} must have at least 1 dim, got a 0-d tensor")
    if x.shape[-1] > _MAX_COLS:
        raise ValueError(f"{name}'s last dim must be < 2**31, got {x.shape[-1]}")
    _check_rows_view(name, x)
    return x


def _check_divisible(what: str, cols: int, group_size: int) -> None:
    if cols % group_size:
        raise ValueError(f"{what} ({cols}) must be divisible by group_size ({group_size})")


def _codes_out(name: str, out: object, shape: tuple[int, ...], dtype: torch.dtype,
               device: torch.device) -> torch.Tensor:
    """The caller's fp8 output buffer (checked) or a new one."""
    if out is None:
        return empty(shape, dtype, device)
    t = check_tensor(name, out, dtypes=(dtype,), last_dim_contiguous=True)
    if tuple(t.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {list(shape)}, got {list(t.shape)}")
    if t.device != device:
        raise ValueError(f"{name} is on {t.device}, expected {device} (x's device)")
    _check_rows_view(name, t)
    return t


def _scale_layout(column_major_scales: bool, tma_aligned_scales: bool, x_dim: int) -> str:
    check_bool("column_major_scales", column_major_scales)
    check_bool("tma_aligned_scales", tma_aligned_scales)
    layout = ref.TMA_ALIGNED if tma_aligned_scales else (
        ref.COLUMN_MAJOR if column_major_scales else ref.ROW_MAJOR)
    if layout != ref.ROW_MAJOR and x_dim < 2:
        raise ValueError(f"column-major / TMA-aligned scales need x of at least 2 dims [M, K], "
                         f"got a {x_dim}-D x")
    return layout


def _column_major(shape: tuple[int, ...], stride: tuple[int, ...], dtype: torch.dtype,
                  device: torch.device) -> torch.Tensor:
    """A ``[*B, M, G]`` tensor with strides ``(..., 1, C)`` (``C >= M``, batch-contiguous): the
    first ``M`` columns of a contiguous ``[*B, G, C]`` buffer, transposed.

    Not ``empty_strided``: under torch.compile the kernel op's output is functionalized, and
    Inductor re-creates a non-dense strided buffer with dense strides (``(1, M)`` instead of
    ``(1, align(M, 4))``: the TMA padding is lost). A view of a dense base keeps its strides
    (auto_functionalized_v2 regenerates a view that is not a plain slice with ``as_strided``
    from its base). One ``as_strided`` view rather than narrow + transpose: one view op less
    on every call."""
    *batch, m, g = shape
    return empty((*batch, g, stride[-1]), dtype, device).as_strided(shape, stride)


def _group_scales(x_shape: tuple[int, ...], group_size: int, layout: str,
                  device: torch.device) -> torch.Tensor:
    shape, stride = ref.group_scales_layout(x_shape, group_size, layout)
    if layout == ref.ROW_MAJOR:
        return empty(shape, torch.float32, device)
    return _column_major(shape, stride, torch.float32, device)


# ---------------------------------------------------------------------------------------------
# per_token_group_quant_fp8
# ---------------------------------------------------------------------------------------------

class PerTokenGroupQuantFP8(CustomOp):
    """Per-token-group FP8 quantization (the activation quantizer of block-scaled FP8 GEMMs).

    Args:
        x: ``[..., K]`` bf16/fp16/fp32, unit stride along K (rows may be strided), K divisible
            by ``group_size``.
        group_size: elements per scale (e.g. 128), > 0.
        eps: floor of each group's amax (> 0), so an all-zero group gets scale eps / fp8_max.
        dtype: the fp8 dtype of q; default the platform's (e4m3fn, or e4m3fnuz on gfx942).
        column_major_scales: scales ``[*B, M, G]`` with strides ``(..., 1, M)`` (x at least 2-D).
        tma_aligned_scales: as column-major with the column stride ``align(M, 4)`` (the layout
            DeepGEMM reads); implies column-major.
        use_ue8m0: round each scale up to a power of two.
        out_q: optional ``[..., K]`` output of ``dtype``, written in place and returned.

    Formula, for each group ``x_g`` of ``group_size`` consecutive elements along K (float32)::

        s = max(amax(|x_g|), eps) / fp8_max        # fp8_max: 448 for e4m3fn, 224 for e4m3fnuz
        s = 2 ** ceil(log2(s))                      # with use_ue8m0
        q = clamp(x_g / s, -fp8_max, fp8_max)       # cast to dtype, round to nearest even

    Returns:
        ``(q [..., K] dtype, scales [..., K // group_size] float32)`` (scales in the layout
        asked for).

    Unlike vLLM's kernel: any number of rows, strided rows, int64 offsets (past 2**31
    elements), and 3-D inputs with column-major scales.

    Example:
        >>> x = torch.randn(16, 7168, dtype=torch.bfloat16, device="cuda")
        >>> q, s = opdispatch.per_token_group_quant_fp8(x, 128, tma_aligned_scales=True)
        >>> q.shape, s.shape, s.stride()     # ([16, 7168], [16, 56], (1, 16))
    """

    name = "per_token_group_quant_fp8"
    aiter_flag = _AITER_FLAG

    def __call__(self, x: torch.Tensor, group_size: int, *, eps: float = 1e-10,
                 dtype: torch.dtype | None = None, column_major_scales: bool = False,
                 tma_aligned_scales: bool = False, use_ue8m0: bool = False,
                 out_q: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        x = _check_input("x", x)
        check_positive_int("group_size", group_size)
        _check_divisible("x's last dim", x.shape[-1], group_size)
        eps = _check_eps(eps)
        fp8_dtype = _fp8_dtype(dtype)
        layout = _scale_layout(column_major_scales, tma_aligned_scales, x.dim())
        check_bool("use_ue8m0", use_ue8m0)
        q = _codes_out("out_q", out_q, tuple(x.shape), fp8_dtype, x.device)
        scales = _group_scales(tuple(x.shape), group_size, layout, x.device)
        self.forward(x, q, scales, group_size, eps, fp8_max_of(fp8_dtype), use_ue8m0)
        return q, scales


def _group_quant_triton(x: torch.Tensor, q: torch.Tensor, scales: torch.Tensor,
                        group_size: int, eps: float, fp8_max: float, use_ue8m0: bool) -> None:
    from opdispatch.backends.triton.quant import per_token_group_quant_fp8 as launch  # lazy

    launch(x, q, scales, group_size, eps, fp8_max, use_ue8m0)


def _group_quant_aiter(x: torch.Tensor, q: torch.Tensor, scales: torch.Tensor,
                       group_size: int, eps: float, fp8_max: float, use_ue8m0: bool) -> None:
    rocm_quant.per_token_group_quant_fp8(x, q, scales, group_size, eps, fp8_max, use_ue8m0)


register_impl(PerTokenGroupQuantFP8.name, "torch_ref", ref.per_token_group_quant_fp8_into)
register_impl(PerTokenGroupQuantFP8.name, "triton",
              kernel_op("per_token_group_quant_fp8_triton", _group_quant_triton,
                        mutates_args=("q", "scales")),
              kernels=lambda p: f"one Triton kernel (_group_quant_kernel), {fp8_note(p)}")
register_impl(PerTokenGroupQuantFP8.name, "aiter",
              kernel_op("per_token_group_quant_fp8_aiter", _group_quant_aiter,
                        mutates_args=("q", "scales")),
              probe=rocm_quant.probe_group_quant)


def per_token_group_quant_fp8(x: torch.Tensor, group_size: int,
                              **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token-group FP8 quantization; see :class:`PerTokenGroupQuantFP8`."""
    return PerTokenGroupQuantFP8.default()(x, group_size, **kwargs)


# ---------------------------------------------------------------------------------------------
# per_token_group_quant_fp8_packed
# ---------------------------------------------------------------------------------------------

class PerTokenGroupQuantFP8Packed(CustomOp):
    """Per-token-group FP8 quantization with ue8m0 scales packed four per int32 (the scale
    format DeepGEMM's SM100 kernels read).

    Args:
        x: ``[M, K]`` bf16/fp16/fp32, unit stride along K, K divisible by ``group_size``.
        group_size: elements per scale (default 128).
        eps, dtype, out_q: as in :class:`PerTokenGroupQuantFP8`.

    Formula: :class:`PerTokenGroupQuantFP8` with ``use_ue8m0=True``; then byte ``j`` (little
    endian) of ``scales_packed[m, c]`` is the float32 exponent field of the scale of group
    ``4c + j`` (``scale = 2 ** (byte - 127)``); bytes past the last group are 0.

    Returns:
        ``(q [M, K] dtype, scales_packed [M, ceil(G / 4)] int32)`` with scales_packed strides
        ``(1, align(M, 4))`` (G = K // group_size).

    Example:
        >>> q, sp = opdispatch.per_token_group_quant_fp8_packed(x)   # x [M, 7168]: sp [M, 14]
    """

    name = "per_token_group_quant_fp8_packed"
    aiter_flag = _AITER_FLAG

    def __call__(self, x: torch.Tensor, group_size: int = 128, *, eps: float = 1e-10,
                 dtype: torch.dtype | None = None,
                 out_q: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        x = _check_input("x", x, ndim=2)
        check_positive_int("group_size", group_size)
        _check_divisible("x's last dim", x.shape[-1], group_size)
        eps = _check_eps(eps)
        fp8_dtype = _fp8_dtype(dtype)
        q = _codes_out("out_q", out_q, tuple(x.shape), fp8_dtype, x.device)
        shape, stride = ref.packed_scales_layout(x.shape[0], x.shape[1] // group_size)
        scales_packed = _column_major(shape, stride, torch.int32, x.device)
        self.forward(x, q, scales_packed, group_size, eps, fp8_max_of(fp8_dtype))
        return q, scales_packed


def _packed_quant_triton(x: torch.Tensor, q: torch.Tensor, scales_packed: torch.Tensor,
                         group_size: int, eps: float, fp8_max: float) -> None:
    from opdispatch.backends.triton.quant import per_token_group_quant_fp8_packed as launch

    launch(x, q, scales_packed, group_size, eps, fp8_max)


register_impl(PerTokenGroupQuantFP8Packed.name, "torch_ref",
              ref.per_token_group_quant_fp8_packed_into)
register_impl(PerTokenGroupQuantFP8Packed.name, "triton",
              kernel_op("per_token_group_quant_fp8_packed_triton", _packed_quant_triton,
                        mutates_args=("q", "scales_packed")),
              kernels=lambda p: (f"one Triton kernel (_group_quant_kernel, ue8m0 scales packed "
                                 f"4 to an int32), {fp8_note(p)}"))


def per_token_group_quant_fp8_packed(x: torch.Tensor, group_size: int = 128,
                                     **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token-group FP8 quant, packed ue8m0 scales; see :class:`PerTokenGroupQuantFP8Packed`."""
    return PerTokenGroupQuantFP8Packed.default()(x, group_size, **kwargs)


# ---------------------------------------------------------------------------------------------
# silu_mul_per_token_group_quant_fp8
# ---------------------------------------------------------------------------------------------

class SiluMulPerTokenGroupQuantFP8(CustomOp):
    """SiLU-and-mul fused with per-token-group FP8 quantization (the MoE / MLP activation).

    Args:
        x: ``[..., 2N]`` bf16/fp16/fp32, unit stride along the last dim; gate = ``x[..., :N]``,
            up = ``x[..., N:]``; N divisible by ``group_size``. Any number of rows.
        group_size, eps, dtype, use_ue8m0, column_major_scales, tma_aligned_scales: as in
            :class:`PerTokenGroupQuantFP8`, applied to y.
        out_q: optional ``[..., N]`` output of ``dtype``.

    Formula: ``y = round_x_dtype(round_x_dtype(silu(gate) in float32) * up)`` (what PyTorch
    computes for ``F.silu(gate.float()).to(x.dtype) * up``), then per-token-group quantization
    of y.

    Returns:
        ``(q [..., N] dtype, scales [..., N // group_size] float32)``.

    Example:
        >>> x = torch.randn(16, 2 * 4096, dtype=torch.bfloat16, device="cuda")
        >>> q, s = opdispatch.silu_mul_per_token_group_quant_fp8(x)   # q [16, 4096], s [16, 32]
    """

    name = "silu_mul_per_token_group_quant_fp8"
    aiter_flag = _AITER_FLAG

    def __call__(self, x: torch.Tensor, group_size: int = 128, *, eps: float = 1e-10,
                 dtype: torch.dtype | None = None, use_ue8m0: bool = False,
                 column_major_scales: bool = False, tma_aligned_scales: bool = False,
                 out_q: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        x = _check_input("x", x)
        check_positive_int("group_size", group_size)
        if x.shape[-1] % 2:
            raise ValueError(f"x's last dim must be even ([..., 2N]: gate then up), got {x.shape[-1]}")
        n = x.shape[-1] // 2
        _check_divisible("N (half of x's last dim)", n, group_size)
        eps = _check_eps(eps)
        fp8_dtype = _fp8_dtype(dtype)
        layout = _scale_layout(column_major_scales, tma_aligned_scales, x.dim())
        check_bool("use_ue8m0", use_ue8m0)
        y_shape = (*x.shape[:-1], n)
        q = _codes_out("out_q", out_q, y_shape, fp8_dtype, x.device)
        scales = _group_scales(y_shape, group_size, layout, x.device)
        self.forward(x, q, scales, group_size, eps, fp8_max_of(fp8_dtype), use_ue8m0)
        return q, scales


def _silu_quant_triton(x: torch.Tensor, q: torch.Tensor, scales: torch.Tensor,
                       group_size: int, eps: float, fp8_max: float, use_ue8m0: bool) -> None:
    from opdispatch.backends.triton.quant import silu_mul_per_token_group_quant_fp8 as launch

    launch(x, q, scales, group_size, eps, fp8_max, use_ue8m0)


register_impl(SiluMulPerTokenGroupQuantFP8.name, "torch_ref",
              ref.silu_mul_per_token_group_quant_fp8_into)
register_impl(SiluMulPerTokenGroupQuantFP8.name, "triton",
              kernel_op("silu_mul_per_token_group_quant_fp8_triton", _silu_quant_triton,
                        mutates_args=("q", "scales")),
              kernels=lambda p: (f"one Triton kernel (_group_quant_kernel with SiLU(gate) * up "
                                 f"fused), {fp8_note(p)}"))


def silu_mul_per_token_group_quant_fp8(x: torch.Tensor, group_size: int = 128,
                                       **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """SiLU-mul + per-token-group FP8 quant; see :class:`SiluMulPerTokenGroupQuantFP8`."""
    return SiluMulPerTokenGroupQuantFP8.default()(x, group_size, **kwargs)


# ---------------------------------------------------------------------------------------------
# scaled_fp8_quant
# ---------------------------------------------------------------------------------------------

def _check_one_scale(name: str, t: object) -> torch.Tensor:
    t = check_tensor(name, t, dtypes=(torch.float32,))
    if t.numel() != 1:
        raise ValueError(f"{name} must hold exactly one float32 value (shape [1]), got shape {list(t.shape)}")
    return t


class ScaledFP8Quant(CustomOp):
    """FP8 quantization with one scale per tensor (static or dynamic) or per token (dynamic).

    Args:
        x: ``[T, K]`` bf16/fp16/fp32, unit stride along K (rows may be strided).
        scale: optional float32 ``[1]``: static quantization with this scale. None: dynamic.
        use_per_token_if_dynamic: dynamic per-token scales ``[P, 1]`` instead of one per tensor
            (ignored with a static scale, as in vLLM).
        scale_ub: optional float32 ``[1]``, dynamic per-token only: an upper bound on each
            row's amax.
        dtype: the fp8 dtype; default the platform's.
        output: optional ``[P, K]`` output of ``dtype``, written in place and returned.
        num_token_padding: optional int >= 0: q (and per-token scales) get
            ``P = max(num_token_padding, T)`` rows.

    Formula (float32; ``floor = 1 / (fp8_max * 512)``)::

        static:      s = scale
        per tensor:  s = max(amax(|x|) / fp8_max, floor)
        per token:   s_t = max(min(amax(|x_t|), scale_ub) / fp8_max, floor)
        q = clamp(x / s, -fp8_max, fp8_max)         # cast to dtype, round to nearest even

    Padding rows ``T..P`` quantize as zero rows: q = 0 and (per token) s = floor; vLLM leaves
    them unwritten. An all-zero x gives zeros and the floor scale (vLLM's per-tensor path gives
    NaN).

    Returns:
        ``(q [P, K] dtype, scale)``: the given scale (static), float32 ``[1]`` (dynamic per
        tensor) or float32 ``[P, 1]`` (dynamic per token).

    Example:
        >>> q, s = opdispatch.scaled_fp8_quant(x, use_per_token_if_dynamic=True)  # s [T, 1]
    """

    name = "scaled_fp8_quant"
    aiter_flag = _AITER_FLAG

    def __call__(self, x: torch.Tensor, scale: torch.Tensor | None = None, *,
                 use_per_token_if_dynamic: bool = False, scale_ub: torch.Tensor | None = None,
                 dtype: torch.dtype | None = None, output: torch.Tensor | None = None,
                 num_token_padding: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        x = _check_input("x", x, ndim=2)
        num_tokens, cols = x.shape
        check_bool("use_per_token_if_dynamic", use_per_token_if_dynamic)
        fp8_dtype = _fp8_dtype(dtype)
        padded = num_tokens
        if num_token_padding is not None:
            if isinstance(num_token_padding, bool) or not isinstance(num_token_padding, int):
                raise TypeError(f"num_token_padding must be an int or None, got {type(num_token_padding).__name__}")
            if num_token_padding < 0:
                raise ValueError(f"num_token_padding must be >= 0, got {num_token_padding}")
            padded = max(num_token_padding, num_tokens)
        if scale is not None:
            scale = _check_one_scale("scale", scale)
            if scale_ub is not None:
                raise ValueError("scale_ub applies to dynamic per-token quantization only; "
                                 "got it with a static scale")
            mode = "static"
        elif use_per_token_if_dynamic:
            if scale_ub is not None:
                scale_ub = _check_one_scale("scale_ub", scale_ub)
            mode = "per_token"
        else:
            if scale_ub is not None:
                raise ValueError("scale_ub applies to dynamic per-token quantization only; "
                                 "pass use_per_token_if_dynamic=True")
            mode = "per_tensor"
        check_same_device(x=x, scale=scale, scale_ub=scale_ub)
        q = _codes_out("output", output, (padded, cols), fp8_dtype, x.device)
        if mode == "per_token":
            scale = empty((padded, 1), torch.float32, x.device)
        elif mode == "per_tensor":
            scale = empty((1,), torch.float32, x.device)
        self.forward(x, q, scale, scale_ub, mode, fp8_max_of(fp8_dtype))
        return q, scale


def _scaled_quant_triton(x: torch.Tensor, q: torch.Tensor, scale: torch.Tensor,
                         scale_ub: torch.Tensor | None, quant_mode: str, fp8_max: float) -> None:
    from opdispatch.backends.triton.quant import scaled_fp8_quant as launch  # lazy

    launch(x, q, scale, scale_ub, quant_mode, fp8_max)


register_impl(ScaledFP8Quant.name, "torch_ref", ref.scaled_fp8_quant_into)
register_impl(ScaledFP8Quant.name, "triton",
              kernel_op("scaled_fp8_quant_triton", _scaled_quant_triton,
                        mutates_args=("q", "scale")),
              kernels=lambda p: ("Triton: static and per-token scales in one launch "
                                 "(_scaled_quant_kernel); dynamic per-tensor as an absmax launch "
                                 "(_absmax_kernel) then the quant launch, or one program for "
                                 f"small inputs; {fp8_note(p)}"))


def scaled_fp8_quant(x: torch.Tensor, scale: torch.Tensor | None = None,
                     **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-tensor / per-token FP8 quantization; see :class:`ScaledFP8Quant`."""
    return ScaledFP8Quant.default()(x, scale, **kwargs)


# ---------------------------------------------------------------------------------------------
# warmup makers: one input set per variant whose kernels differ (constexpr flags), at
# DeepSeek-V3/V4 widths (hidden 7168; MoE intermediate 2048, so SiLU-mul input 2 x 2048)
# ---------------------------------------------------------------------------------------------

_HIDDEN = 7168
_MOE_INTERMEDIATE = 2048


def _acts(device: torch.device, rows: int, cols: int, gen: torch.Generator) -> torch.Tensor:
    return (torch.randn(rows, cols, generator=gen) * 3).to(torch.bfloat16).to(device)


def _group_quant_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    # One fresh tensor per variant: the graph test copies new values into each variant's
    # inputs in turn, so a tensor shared by two variants would already hold the new values.
    return [((_acts(device, num_tokens, _HIDDEN, gen), 128), {}),
            ((_acts(device, num_tokens, _HIDDEN, gen), 128),
             {"tma_aligned_scales": True, "use_ue8m0": True})]


def _packed_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    return [((_acts(device, num_tokens, _HIDDEN, gen), 128), {})]


def _silu_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    cols = 2 * _MOE_INTERMEDIATE
    return [((_acts(device, num_tokens, cols, gen), 128), {}),
            ((_acts(device, num_tokens, cols, gen), 128),
             {"tma_aligned_scales": True, "use_ue8m0": True})]


def _scaled_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    # The static scale is drawn from gen too (in [0.01, 0.03)), so it also differs per seed.
    static_scale = (0.01 + 0.02 * torch.rand(1, generator=gen)).to(device)
    return [((_acts(device, num_tokens, _HIDDEN, gen), static_scale), {}),
            ((_acts(device, num_tokens, _HIDDEN, gen),), {}),
            ((_acts(device, num_tokens, _HIDDEN, gen),), {"use_per_token_if_dynamic": True})]


register_warmup(PerTokenGroupQuantFP8.name, _group_quant_variants)
register_warmup(PerTokenGroupQuantFP8Packed.name, _packed_variants)
register_warmup(SiluMulPerTokenGroupQuantFP8.name, _silu_variants)
register_warmup(ScaledFP8Quant.name, _scaled_variants)
