"""Output allocation. Ops allocate every output through :func:`empty` so that the test suite
can poison fresh outputs (NaN for floating types, the most negative value for integers, a NaN
byte for fp8, 0xAB for bytes): an element a kernel forgets to write then fails the comparison
instead of passing by luck on zeroed memory."""

from __future__ import annotations

from collections.abc import Sequence

import torch

_poison = False
_FP8_NAN_BYTE = {torch.float8_e4m3fn: 0x7F, torch.float8_e4m3fnuz: 0x80}


def set_poison(enabled: bool) -> None:
    """Turn poisoning of new outputs on or off (tests turn it on; it costs a fill per output)."""
    global _poison
    _poison = bool(enabled)


def poison_enabled() -> bool:
    return _poison


def poison_(t: torch.Tensor) -> torch.Tensor:
    """Fill ``t`` with a value no correct kernel writes where it means data."""
    if t.dtype in _FP8_NAN_BYTE:
        if torch.compiler.is_compiling():
            # Inductor folds any uniform fill of an fp8 buffer (even through a byte view) into an
            # fp8 NaN constant that Triton 3.6 cannot compile; compiled runs are compared against
            # poisoned eager runs, which still catch unwritten elements.
            return t
        t.view(torch.uint8).fill_(_FP8_NAN_BYTE[t.dtype])
    elif t.dtype.is_floating_point:
        t.fill_(float("nan"))
    elif t.dtype == torch.bool:
        t.fill_(True)
    elif t.dtype == torch.uint8:
        t.fill_(0xAB)
    else:
        t.fill_(torch.iinfo(t.dtype).min)
    return t


def empty(
    shape: Sequence[int],
    dtype: torch.dtype,
    device: torch.device | str,
    stride: Sequence[int] | None = None,
) -> torch.Tensor:
    """``torch.empty`` (or ``empty_strided`` when ``stride`` is given), poisoned in tests."""
    if stride is None:
        t = torch.empty(tuple(shape), dtype=dtype, device=device)
    else:
        t = torch.empty_strided(tuple(shape), tuple(stride), dtype=dtype, device=device)
    if _poison:
        poison_(t)
    return t
