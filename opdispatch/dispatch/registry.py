"""Providers per op, their can-use and should-use checks, selection, and ``explain``.

Can-use is what the machine allows: an implementation exists, the platform and arch fit, the
package is installed, the vendor function is present with the expected signature (the probe).
Should-use is what the user allows: ``OPDISPATCH_CUSTOM_OPS``, ``VLLM_DISABLED_KERNELS``, the aiter
and deep_gemm switches, and the known-bad table. A candidate is usable when both say yes.

An automatic choice takes the first usable provider in the platform's priority order and logs it
once per op (logger ``opdispatch``, INFO). A provider forced by ``OPDISPATCH_BACKEND`` that is not
usable raises :class:`DispatchError` saying why: never a silent fallback.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from opdispatch.dispatch.flags import PROVIDERS, FlagError, Flags, get_flags
from opdispatch.dispatch.known_bad import find_known_bad
from opdispatch.dispatch.platform import Platform, constant_in_traces, current_platform

if TYPE_CHECKING:
    from opdispatch.dispatch.custom_op import CustomOp

logger = logging.getLogger("opdispatch")

# Priority per platform. Providers a platform cannot run come last so that explain lists them
# with the reason.
PRIORITY: dict[str, tuple[str, ...]] = {
    "cuda": ("deep_gemm", "triton", "torch_ref", "aiter"),
    "rocm": ("aiter", "triton", "torch_ref", "deep_gemm"),
    "cpu": ("torch_ref", "triton", "aiter", "deep_gemm"),
}

# deep_gemm's kernels need Hopper (sm_90) or newer.
DEEP_GEMM_MIN_CAPABILITY = (9, 0)
INSTALL_HINT = {
    "triton": "pip install triton",
    "aiter": "pip install amd-aiter, on ROCm",
    "deep_gemm": "build DeepGEMM from source; the package index has no version with these kernels",
}
MODULE_OF = {"triton": "triton", "aiter": "aiter", "deep_gemm": "deep_gemm"}


class DispatchError(RuntimeError):
    """A provider that was asked for by name cannot run here; the message says why."""


Probe = Callable[[], "tuple[bool, str]"]
# Which kernel (variant, config) a provider runs for an op on a platform, in one line: a string,
# or a function of the platform (it may look at the device, never at data). Shown by
# ``opdispatch explain`` under each provider that can run.
KernelsNote = str | Callable[[Platform], str]


@dataclass
class Impl:
    """One provider's implementation of one op, with the kernel signature."""

    op: str
    provider: str
    fn: Callable[..., Any]
    probe: Probe | None = None
    kernels: KernelsNote | None = None
    _probe_result: tuple[bool, str] | None = field(default=None, repr=False)

    def run_probe(self) -> tuple[bool, str]:
        """Run the probe once and cache it (probes import vendor packages: never at import)."""
        if self.probe is None:
            return True, ""
        if self._probe_result is None:
            try:
                ok, why = self.probe()
            except Exception as exc:  # a probe that crashes means the vendor API is not as expected
                ok, why = False, f"probe failed: {type(exc).__name__}: {exc}"
            self._probe_result = (bool(ok), why)
        return self._probe_result


@dataclass
class OpEntry:
    name: str
    impls: dict[str, Impl] = field(default_factory=dict)
    cls: type[CustomOp] | None = None
    oot_cls: type[CustomOp] | None = None


_OPS: dict[str, OpEntry] = {}


def _entry(op: str) -> OpEntry:
    if op not in _OPS:
        _OPS[op] = OpEntry(op)
    return _OPS[op]


def register_impl(op: str, provider: str, fn: Callable[..., Any], *, probe: Probe | None = None,
                  kernels: KernelsNote | None = None) -> None:
    """Register ``provider``'s implementation of ``op`` (a function with the op's kernel signature).
    ``kernels``: which kernel variant it runs, as a string or a function of the platform (see
    KernelsNote); ``opdispatch explain`` shows it."""
    if provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {PROVIDERS}, got {provider!r}")
    entry = _entry(op)
    if provider in entry.impls:
        raise ValueError(f"{provider} implementation of {op} is already registered")
    entry.impls[provider] = Impl(op, provider, fn, probe, kernels)


def unregister_op(op: str) -> None:
    """Remove an op entirely (tests that register their own ops clean up with this)."""
    _OPS.pop(op, None)


def reset_probes() -> None:
    """Forget cached probe results (after installing or removing a vendor package or test double)."""
    for entry in _OPS.values():
        for impl in entry.impls.values():
            impl._probe_result = None


def register_op_class(cls: type[CustomOp]) -> None:
    entry = _entry(cls.name)
    if entry.cls is not None and entry.cls is not cls and entry.cls.__qualname__ != cls.__qualname__:
        raise ValueError(f"op {cls.name!r} already has class {entry.cls.__qualname__}")
    entry.cls = cls


def register_oot(op: str, cls: type[CustomOp] | None) -> None:
    """Use ``cls`` (a subclass of the op's class) for the op's default instance; None restores."""
    entry = _OPS.get(op)
    if entry is None or entry.cls is None:
        raise KeyError(f"no op named {op!r}")
    if cls is not None and not issubclass(cls, entry.cls):
        raise TypeError(f"out-of-tree class for {op!r} must subclass {entry.cls.__qualname__}")
    entry.oot_cls = cls


def op_names() -> list[str]:
    """Every op that has a class (public ops), sorted."""
    return sorted(n for n, e in _OPS.items() if e.cls is not None)


def get_entry(op: str) -> OpEntry:
    try:
        return _OPS[op]
    except KeyError:
        raise KeyError(f"no op named {op!r}; ops: {', '.join(op_names())}") from None


def get_impl(op: str, provider: str) -> Impl:
    entry = get_entry(op)
    try:
        return entry.impls[provider]
    except KeyError:
        raise DispatchError(f"{provider} has no implementation of {op}") from None


# ---------------------------------------------------------------- can-use / should-use


# Both checks below run while Dynamo traces a default instance built inside torch.compile
# (CustomOp.default). importlib's find_spec is on Dynamo's skip list (a graph break on torch 2.11)
# and probes import vendor packages: marked constant, Dynamo calls them eagerly, once, and puts
# the answer in the graph as a constant. Eager calls are unaffected.
@constant_in_traces
def _module_installed(module: str) -> bool:
    if module in sys.modules:  # imported already (or a test double)
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _triton_interpret() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0") == "1"


def can_use(op: str, provider: str, platform: Platform) -> tuple[bool, str]:
    """Whether the machine allows ``provider`` to run ``op``, and why not."""
    entry = get_entry(op)
    impl = entry.impls.get(provider)
    if impl is None:
        return False, f"{provider} has no {op} kernel"
    if provider == "aiter" and not platform.is_rocm():
        return False, f"aiter runs on ROCm only; platform is {platform.name}"
    if provider == "deep_gemm":
        if not platform.is_cuda():
            return False, f"deep_gemm runs on CUDA only; platform is {platform.name}"
        cap = platform.device_capability
        if cap is not None and cap < DEEP_GEMM_MIN_CAPABILITY:
            return False, f"deep_gemm needs sm_90 or newer; device is sm_{cap[0]}{cap[1]}"
    if provider == "triton" and platform.is_cpu() and not _triton_interpret():
        return False, "triton on CPU tensors needs TRITON_INTERPRET=1"
    module = MODULE_OF.get(provider)
    if module is not None and not _module_installed(module):
        return False, f"{module} is not installed ({INSTALL_HINT[provider]})"
    verdict = _probe_verdict(op, provider)
    return verdict[0] == "1", verdict[1:]


@constant_in_traces
def _probe_verdict(op: str, provider: str) -> str:
    """The provider's cached probe as one string ("1" or "0", then the reason): a constant
    Dynamo can bake into a trace (see _module_installed)."""
    ok, why = get_entry(op).impls[provider].run_probe()
    return ("1" if ok else "0") + why


def should_use(op: str, provider: str, flags: Flags) -> tuple[bool, str]:
    """Whether the user's flags and the known-bad table allow ``provider`` for ``op``."""
    reasons = []
    if provider != "torch_ref" and not flags.custom_ops.is_enabled(op):
        reasons.append(f"OPDISPATCH_CUSTOM_OPS disables {op} (it runs forward_native)")
    if flags.kernel_disabled(provider, op):
        reasons.append(f"disabled by VLLM_DISABLED_KERNELS ({provider}.{op} or {provider})")
    if provider == "aiter":
        if not flags.use_aiter:
            reasons.append("VLLM_ROCM_USE_AITER is off")
        else:
            sub = _aiter_subflag(op)
            if sub is not None and not flags.aiter_subflags[sub]:
                reasons.append(f"{sub} is off")
    if provider == "deep_gemm" and not flags.use_deep_gemm:
        reasons.append("VLLM_USE_DEEP_GEMM is off")
    bad = find_known_bad(provider, op)
    if bad is not None and not flags.known_bad_allowed(provider, op):
        reasons.append(bad.reason())
    return (not reasons), "; ".join(reasons)


def _aiter_subflag(op: str) -> str | None:
    cls = get_entry(op).cls
    return getattr(cls, "aiter_flag", None) if cls is not None else None


# ---------------------------------------------------------------- selection


@dataclass(frozen=True)
class Candidate:
    provider: str
    usable: bool
    reason: str


@dataclass(frozen=True)
class Selection:
    op: str
    platform: str
    selected: str | None  # None only when a forced provider cannot run
    candidates: tuple[Candidate, ...]
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "platform": self.platform,
            "selected": self.selected,
            "candidates": [
                {"provider": c.provider, "usable": c.usable, "reason": c.reason} for c in self.candidates
            ],
        }


def check_flag_op_names(flags: Flags) -> None:
    """Raise FlagError when a flag names an op that does not exist."""
    known = set(_OPS)
    for variable, op in flags.op_names_mentioned():
        if op not in known:
            raise FlagError(f"{variable}: unknown op {op!r}; ops: {', '.join(op_names())}")


def evaluate(op: str, platform: Platform | None = None, flags: Flags | None = None) -> Selection:
    """Decide the provider for ``op`` and explain every candidate. Never raises for a forced
    provider that cannot run: ``selected`` is None and ``error`` says why."""
    platform = platform or current_platform()
    flags = flags or get_flags()
    check_flag_op_names(flags)
    forced = flags.forced_backend(op)
    if forced is not None and not flags.custom_ops.is_enabled(op) and forced[0] != "torch_ref":
        forced = None  # OPDISPATCH_CUSTOM_OPS wins; the candidate reasons say so
    rows: list[tuple[str, bool, str]] = []
    for provider in PRIORITY[platform.name]:
        can, can_why = can_use(op, provider, platform)
        # A provider forced by name obeys the same should-use rules (kill switch, vendor
        # switches, known-bad table): each names the variable to change, and selection fails
        # loudly below instead of falling back.
        should, should_why = should_use(op, provider, flags)
        why = "; ".join(w for w in ((can_why if not can else ""), (should_why if not should else "")) if w)
        rows.append((provider, can and should, why if not (can and should) else can_why))

    selected: str | None = None
    error: str | None = None
    if forced is not None:
        provider, variable = forced
        row = next(r for r in rows if r[0] == provider)
        if row[1]:
            selected = provider
        else:
            error = f"{variable} forces {provider} for {op}, but it cannot run: {row[2]}"
    else:
        selected = next((p for p, usable, _ in rows if usable), None)
        if selected is None:  # torch_ref is always usable unless a flag disabled it
            error = f"no provider may run {op}: " + "; ".join(f"{p}: {w}" for p, _, w in rows)

    candidates = []
    for provider, usable, why in rows:
        if provider == selected:
            why = (f"selected: forced by {forced[1]}" if forced is not None
                   else "selected: first usable provider in priority order") + (f" ({why})" if why else "")
        elif usable:
            why = f"usable; {selected} comes first" if selected else "usable"
        elif forced is not None and provider == forced[0]:
            why = f"forced by {forced[1]} but cannot run: {why}"
        candidates.append(Candidate(provider, usable, why))
    return Selection(op, platform.name, selected, tuple(candidates), error)


_logged: set[tuple[str, str, str]] = set()


def select(op: str, platform: Platform | None = None, flags: Flags | None = None) -> Selection:
    """Like :func:`evaluate`, but raises :class:`DispatchError` when nothing may run, and logs
    the automatic choice once per op."""
    sel = evaluate(op, platform, flags)
    if sel.selected is None:
        raise DispatchError(sel.error)
    key = (op, sel.platform, sel.selected)
    # Under torch.compile (a default instance first built inside a compiled region) logging would
    # be a graph break; the choice is logged by the first eager construction instead.
    # (is_compiling first: reading _logged while tracing would make the frame guard on it)
    if not torch.compiler.is_compiling() and key not in _logged:
        _logged.add(key)
        reason = next(c.reason for c in sel.candidates if c.provider == sel.selected)
        logger.info("opdispatch: %s on %s runs %s (%s)", op, sel.platform, sel.selected, reason)
    return sel


def explain(ops: list[str] | None = None) -> list[dict[str, Any]]:
    """For every op (or the named ones): the platform, the selected provider, every candidate
    with ``usable``, a one-line reason and, for those that can run, ``kernels``: which kernel
    variant it runs (see register_impl). The JSON form of ``opdispatch explain --json``."""
    names = op_names() if not ops else ops
    for name in names:
        get_entry(name)  # KeyError with the list of ops for a bad name
    platform = current_platform()
    flags = get_flags()
    out = []
    for name in names:
        entry = evaluate(name, platform, flags).as_dict()
        for cand in entry["candidates"]:
            cand["kernels"] = kernels_note(name, cand["provider"], platform) if cand["usable"] else ""
        out.append(entry)
    return out


def fp8_note(platform: Platform) -> str:
    """The platform's fp8 type in words, for kernel notes: "fp8 float8_e4m3fn (max 448)"."""
    return f"fp8 {str(platform.fp8_dtype).removeprefix('torch.')} (max {platform.fp8_max:g})"


def kernels_note(op: str, provider: str, platform: Platform | None = None) -> str:
    """The one-line note of which kernel ``provider`` runs for ``op`` on ``platform`` ("" when
    the provider registered none). A note function that fails gives its error, not a crash."""
    impl = get_entry(op).impls.get(provider)
    if impl is None or impl.kernels is None:
        return ""
    if isinstance(impl.kernels, str):
        return impl.kernels
    try:
        return str(impl.kernels(platform or current_platform()))
    except Exception as exc:  # noqa: BLE001 - explain must always print
        return f"(kernels note failed: {type(exc).__name__}: {exc})"

