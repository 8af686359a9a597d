"""aiter adapter of the quant family (ROCm). ``aiter`` is imported lazily, inside functions.

What aiter has (``aiter/ops/quant.py``, HIP kernels in ``csrc/kernels/quant_kernels.cu``) and
what is adapted:

- ``dynamic_per_group_scaled_quant(out, input, scales, group_size, shuffle_scale, ...)``: fp8
  codes and float32 group scales ``max(amax, 1e-10) / finfo(fp8).max``; ``shuffle_scale=True``
  writes the scales column-major (stride ``(1, M)``). That is our per_token_group_quant_fp8
  when ``eps == 1e-10``, no ue8m0, ``group_size in (32, 64, 128)``, contiguous x and q, row-major
  or ``(1, M)`` column-major scales, **and** ``fp8_max`` equal to the dtype's finfo max (e4m3fn,
  448: gfx950). On gfx942 aiter divides by 240 while we use 224, so every call there takes the
  Triton kernel instead. Any other argument combination also takes the Triton kernel (the
  decision reads only metadata). aiter multiplies by an approximate reciprocal of the scale, so
  a code may differ from torch_ref by one fp8 step (as our Triton default does).
- Not adapted (semantics differ): ``dynamic_per_token_scaled_quant`` and
  ``dynamic_per_tensor_quant`` (no floor on the scale: an all-zero row gives a zero scale and NaN
  codes; divide by finfo max, 240 on gfx942), ``static_per_tensor_quant`` (no clamp to 224 on
  gfx942), the Triton ``act_mul_and_fp8_group_quant`` (SiLU-mul rounding not specified).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

import torch

__all__ = ["probe_group_quant", "aiter_group_quant_shuffle", "per_token_group_quant_fp8"]

_AITER_EPS = 1e-10  # aiter's group-quant kernel starts its amax at 1e-10f
_AITER_GROUP_SIZES = (32, 64, 128)
_GROUP_QUANT_PARAMS = ("out", "input", "scales", "group_size", "shuffle_scale")


@functools.lru_cache(maxsize=1)
def _group_quant_fn() -> Callable[..., None]:
    from aiter.ops.quant import dynamic_per_group_scaled_quant  # lazy: ROCm only

    return dynamic_per_group_scaled_quant


def probe_group_quant() -> tuple[bool, str]:
    """aiter's per-group quant exists with the expected parameters."""
    _group_quant_fn.cache_clear()
    try:
        fn = _group_quant_fn()
    except (ImportError, AttributeError) as exc:
        return False, f"aiter.ops.quant.dynamic_per_group_scaled_quant not found ({exc})"
    if not callable(fn):
        return False, "aiter.ops.quant.dynamic_per_group_scaled_quant is not callable"
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        params = None
    opaque = params is None or any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values())
    if not opaque:
        missing = [p for p in _GROUP_QUANT_PARAMS if p not in params]
        if missing:
            return False, ("aiter.ops.quant.dynamic_per_group_scaled_quant lacks parameter(s) "
                           f"{', '.join(missing)} (aiter too old)")
    return True, "aiter.ops.quant.dynamic_per_group_scaled_quant present"


def aiter_group_quant_shuffle(x: torch.Tensor, q: torch.Tensor, scales: torch.Tensor,
                              group_size: int, eps: float, fp8_max: float,
                              use_ue8m0: bool) -> bool | None:
    """``shuffle_scale`` for aiter when it computes exactly our semantics for these arguments
    (False: row-major scales, True: ``(1, M)`` column-major), else None. Metadata only."""
    if use_ue8m0 or eps != _AITER_EPS or group_size not in _AITER_GROUP_SIZES:
        return None
    if fp8_max != torch.finfo(q.dtype).max:  # aiter divides by finfo max (240 for fnuz)
        return None
    if not (x.is_contiguous() and q.is_contiguous()) or x.numel() == 0:
        return None
    if scales.is_contiguous():
        return False
    if scales.dim() == 2 and scales.stride() == (1, scales.shape[0]):
        return True
    return None


def per_token_group_quant_fp8(x: torch.Tensor, q: torch.Tensor, scales: torch.Tensor,
                              group_size: int, eps: float, fp8_max: float,
                              use_ue8m0: bool) -> None:
    """Kernel signature of per_token_group_quant_fp8: aiter where it matches, else Triton."""
    shuffle = aiter_group_quant_shuffle(x, q, scales, group_size, eps, fp8_max, use_ue8m0)
    if shuffle is None:
        from opdispatch.backends.triton.quant import per_token_group_quant_fp8 as triton_impl

        triton_impl(x, q, scales, group_size, eps, fp8_max, use_ue8m0)
        return
    _group_quant_fn()(q, x, scales, group_size, shuffle_scale=shuffle)
