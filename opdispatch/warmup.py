"""Compile every kernel the current dispatch will use, before CUDA-graph capture.

Triton compiles a kernel on its first launch for each specialisation (dtypes, constexpr tile
sizes chosen from the shape, integer arguments equal to 1 or divisible by 16, pointer
alignment). A first launch inside ``torch.cuda.graph(...)`` compiles and loads a module during
capture, which stalls or fails the capture. :func:`warmup` runs each op's default instance (the
provider dispatch picked) once per token-count bucket, so that every specialisation the engine
will capture already exists.

When an engine should call it: once after the model is built and the flags are final (after any
``opdispatch.reload_flags()``), before capturing its CUDA graphs, with the token counts it will
capture (the capture sizes), on the device it serves from. Call it again after changing flags:
the default instances are rebuilt and may pick other providers.

Op families register input makers: ``register_warmup(op_name, make_inputs)`` where
``make_inputs(device, num_tokens, gen) -> (args, kwargs)`` (or a list of them, one per variant
whose kernels differ, e.g. a layout flag) for the op's public ``__call__``. An op without a
maker is warmed with its ``opdispatch check`` cases (fixed shapes), which compiles at least its
dtype/constexpr variants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

Inputs = tuple[tuple[Any, ...], dict[str, Any]]
WarmupMaker = Callable[[torch.device, int, torch.Generator], "Inputs | list[Inputs]"]

_MAKERS: dict[str, WarmupMaker] = {}


def register_warmup(op: str, make_inputs: WarmupMaker, *, replace: bool = False) -> WarmupMaker:
    """Register the input maker of ``op`` for :func:`warmup` and the compile/graph test suite.

    ``make_inputs(device, num_tokens, gen)`` returns ``(args, kwargs)`` for the op's public call
    with ``num_tokens`` tokens (random values drawn from the CPU generator ``gen``), or a list of
    such pairs. ``replace=True`` swaps an existing maker (an engine with other model dimensions).
    """
    if not callable(make_inputs):
        raise TypeError(f"make_inputs must be callable, got {type(make_inputs).__name__}")
    if op in _MAKERS and not replace:
        raise ValueError(f"a warmup maker for {op!r} is already registered (pass replace=True)")
    _MAKERS[op] = make_inputs
    return make_inputs


def warmup_maker(op: str) -> WarmupMaker | None:
    """The registered maker of ``op``, or None."""
    return _MAKERS.get(op)


def make_warmup_inputs(op: str, device: torch.device, num_tokens: int,
                       gen: torch.Generator) -> list[Inputs]:
    """The maker's input sets for ``num_tokens`` tokens, always as a list."""
    made = _MAKERS[op](device, num_tokens, gen)
    return list(made) if isinstance(made, list) else [made]


@dataclass(frozen=True)
class WarmupRow:
    op: str
    provider: str
    num_tokens: int | None  # None: the op's check cases were used (no maker)
    runs: int
    note: str = ""


def warmup(num_tokens: Iterable[int] = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512), *,
           device: torch.device | str | None = None, ops: Sequence[str] | None = None,
           makers: dict[str, WarmupMaker] | None = None, seed: int = 0) -> list[WarmupRow]:
    """Run every op's default instance once per token count (and variant) so that each Triton
    kernel the current dispatch uses is compiled and loaded before CUDA-graph capture.

    Args:
        num_tokens: the token-count buckets the engine will capture (ints >= 0).
        device: where to run (default: ``cuda`` when a GPU is present, else ``cpu``).
        ops: op names to warm (default: every registered op).
        makers: per-op input makers that override the registered ones for this call.
        seed: seed of the input generator.

    Returns one :class:`WarmupRow` per (op, bucket). Raises what an op raises: a kernel that does
    not compile here should fail now, not during capture. Synchronises the device at the end
    (warmup is not on the hot path).
    """
    import opdispatch  # noqa: F401  (registers every op family)
    from opdispatch.dispatch.checks import check_cases
    from opdispatch.dispatch.custom_op import op_class
    from opdispatch.dispatch.registry import op_names

    buckets = [int(n) for n in num_tokens]
    if any(n < 0 for n in buckets):
        raise ValueError(f"num_tokens must be >= 0, got {buckets}")
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(device)
    names = list(ops) if ops is not None else op_names()
    all_makers = {**_MAKERS, **(makers or {})}
    rows: list[WarmupRow] = []
    for op in names:
        inst = op_class(op).default()
        maker = all_makers.get(op)
        if maker is not None:
            for n in buckets:
                gen = torch.Generator().manual_seed(seed + n)
                made = maker(device, n, gen)
                sets = list(made) if isinstance(made, list) else [made]
                for args, kwargs in sets:
                    inst(*args, **kwargs)
                rows.append(WarmupRow(op, inst.provider, n, len(sets)))
        else:
            cases = check_cases(op)
            for case in cases:
                args, kwargs = case.make_inputs(device, torch.Generator().manual_seed(seed))
                inst(*args, **kwargs)
            rows.append(WarmupRow(op, inst.provider, None, len(cases),
                                  "no warmup maker: ran its check cases (fixed shapes)"))
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return rows
