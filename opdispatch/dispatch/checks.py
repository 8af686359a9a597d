"""``opdispatch check``: every usable provider of every op against torch_ref on small inputs.

Op families register :class:`CheckCase` objects in ``opdispatch/checks/<family>.py``. The runner
builds the inputs once per case (fixed seed), runs ``Op(provider="torch_ref")`` for the reference,
then each usable provider pinned the same way, each on its own copy of the inputs (some ops
mutate an argument), and compares with the case's ``compare``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from opdispatch.dispatch import registry

Inputs = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class CheckResult:
    max_err: float
    tol: float
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class CheckCase:
    op: str
    label: str
    # (device, generator) -> (args, kwargs) for the op's public __call__
    make_inputs: Callable[[torch.device, torch.Generator], Inputs]
    # (out, ref) -> CheckResult; out/ref are what `outputs` returns for the provider / torch_ref
    compare: Callable[[Any, Any], CheckResult]
    # (return value, args, kwargs) -> what to compare; default: the return value
    outputs: Callable[[Any, tuple[Any, ...], dict[str, Any]], Any] | None = None


_CHECKS: list[CheckCase] = []


def register_check(case: CheckCase) -> CheckCase:
    _CHECKS.append(case)
    return case


def check_cases(op: str | None = None) -> list[CheckCase]:
    from opdispatch.checks import load_all

    load_all()
    return [c for c in _CHECKS if op is None or c.op == op]


def _as_list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (tuple, list)) else [x]


def compare_close(out: Any, ref: Any, *, atol: float, rtol: float) -> CheckResult:
    """Compare tensors (or tuples of tensors) elementwise: |out - ref| <= atol + rtol * |ref|.

    Shapes and dtypes must match exactly; NaN passes only where the reference is NaN, and
    infinities must match exactly. ``max_err`` is the largest |out - ref|; ``tol`` the bound at
    the element closest to failing.
    """
    worst_ratio, max_err, tol_at = -1.0, 0.0, atol
    for i, (o, r) in enumerate(zip(_as_list(out), _as_list(ref), strict=True)):
        if o.shape != r.shape or o.dtype != r.dtype:
            return CheckResult(math.inf, atol, False,
                               f"output {i}: shape/dtype {tuple(o.shape)} {o.dtype} != reference {tuple(r.shape)} {r.dtype}")
        of, rf = o.detach().double().cpu(), r.detach().double().cpu()
        o_nan, r_nan = torch.isnan(of), torch.isnan(rf)
        if not torch.equal(o_nan, r_nan):
            n = int((o_nan != r_nan).sum())
            return CheckResult(math.nan, atol, False, f"output {i}: NaN where the reference is not (or the reverse) at {n} elements")
        finite = ~r_nan
        o_inf, r_inf = torch.isinf(of) & finite, torch.isinf(rf) & finite
        if not torch.equal(of[o_inf | r_inf], rf[o_inf | r_inf]):
            return CheckResult(math.inf, atol, False, f"output {i}: infinities differ from the reference")
        keep = finite & ~r_inf
        if keep.any():
            err = (of - rf).abs()[keep]
            bound = atol + rtol * rf.abs()[keep]
            ratio = err / bound
            j = int(torch.argmax(ratio))
            if float(ratio[j]) > worst_ratio:
                worst_ratio, tol_at = float(ratio[j]), float(bound[j])
            max_err = max(max_err, float(err.max()))
            if bool((err > bound).any()):
                n = int((err > bound).sum())
                return CheckResult(max_err, tol_at, False, f"output {i}: {n} of {err.numel()} elements off")
    return CheckResult(max_err, tol_at, True)


def compare_equal(out: Any, ref: Any) -> CheckResult:
    """Exact equality (integer outputs, fp8 codes where rounding cannot differ)."""
    for i, (o, r) in enumerate(zip(_as_list(out), _as_list(ref), strict=True)):
        if o.shape != r.shape or o.dtype != r.dtype:
            return CheckResult(math.inf, 0.0, False, f"output {i}: shape/dtype differ")
        a = o.view(torch.uint8) if o.element_size() == 1 else o
        b = r.view(torch.uint8) if r.element_size() == 1 else r
        diff = (a.cpu() != b.cpu())
        if bool(diff.any()):
            return CheckResult(float(diff.sum()), 0.0, False, f"output {i}: {int(diff.sum())} elements differ")
    return CheckResult(0.0, 0.0, True)


def _clone_inputs(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Inputs:
    def c(v: Any) -> Any:
        if isinstance(v, torch.Tensor):
            return v.clone()
        if isinstance(v, (tuple, list)):
            return type(v)(c(x) for x in v)
        return v

    return tuple(c(a) for a in args), {k: c(v) for k, v in kwargs.items()}


@dataclass(frozen=True)
class CheckRow:
    op: str
    provider: str
    label: str
    max_err: float
    tol: float
    ok: bool
    time_ms: float
    detail: str = ""


def _timed(fn: Callable[[], Any], device: torch.device) -> tuple[Any, float]:
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    out = fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return out, (time.perf_counter() - t0) * 1e3


def run_checks(
    ops: list[str] | None = None,
    providers: list[str] | None = None,
    device: torch.device | None = None,
    seed: int = 0,
) -> list[CheckRow]:
    """Run the check cases; one row per (case, provider). Never raises for a failing provider:
    the row says what happened."""
    from opdispatch.dispatch.custom_op import op_class
    from opdispatch.dispatch.platform import current_platform

    platform = current_platform()
    if device is None:
        device = torch.device("cuda" if platform.has_real_gpu else "cpu")
    rows: list[CheckRow] = []
    names = ops or registry.op_names()
    for op in names:
        cls = op_class(op)
        sel = registry.evaluate(op, platform)
        usable = [c.provider for c in sel.candidates if c.usable and c.provider != "torch_ref"]
        if providers:
            usable = [p for p in usable if p in providers]
        for case in check_cases(op):
            gen = torch.Generator(device="cpu").manual_seed(seed)
            args, kwargs = case.make_inputs(device, gen)
            pick = case.outputs or (lambda res, a, k: res)
            ref_args, ref_kwargs = _clone_inputs(args, kwargs)
            ref = pick(cls(provider="torch_ref")(*ref_args, **ref_kwargs), ref_args, ref_kwargs)
            for provider in usable:
                p_args, p_kwargs = _clone_inputs(args, kwargs)
                try:
                    inst = cls(provider=provider)
                    res, ms = _timed(lambda: inst(*p_args, **p_kwargs), device)
                    result = case.compare(pick(res, p_args, p_kwargs), ref)
                except Exception as exc:  # a crash is a failure row, not an abort of the whole check
                    rows.append(CheckRow(op, provider, case.label, math.nan, math.nan, False, math.nan,
                                         f"{type(exc).__name__}: {exc}"))
                    continue
                rows.append(CheckRow(op, provider, case.label, result.max_err, result.tol, result.ok, ms, result.detail))
    return rows
