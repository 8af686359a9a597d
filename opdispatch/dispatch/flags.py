"""Every environment variable opdispatch reads, parsed and validated in one place.

The environment is read once, on first use, and cached as a frozen :class:`Flags`. Nothing is
read from the environment on the hot path. To re-read it (after changing ``os.environ``), call
:func:`reload_flags`; to change flags for a block of code, use :func:`override_flags`. Both bump
a generation counter, which makes every default op instance resolve its provider again.

A bad value raises :class:`FlagError` (a ``ValueError``) whose message names the variable, the
value and what is accepted.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

logger = logging.getLogger("opdispatch")

PROVIDERS = ("torch_ref", "triton", "aiter", "deep_gemm")

_TRUE = ("1", "true", "yes")
_FALSE = ("0", "false", "no")

# aiter per-family sub-flags: effective only when VLLM_ROCM_USE_AITER is on.
AITER_SUBFLAGS = (
    "VLLM_ROCM_USE_AITER_QUANT",
    "VLLM_ROCM_USE_AITER_TOPK",
    "VLLM_ROCM_USE_AITER_INDEXER",
    "VLLM_ROCM_USE_AITER_MHC",
)


@dataclass(frozen=True)
class FlagDoc:
    name: str
    default: str
    doc: str


# The documented table; README.md's flags table mirrors it (a test checks that every variable
# here is named in the README).
FLAG_DOCS: tuple[FlagDoc, ...] = (
    FlagDoc("VLLM_ROCM_USE_AITER", "0", "Master switch for aiter kernels on ROCm."),
    *(
        FlagDoc(n, "1", f"aiter for the {n.rsplit('_', 1)[1].lower()} ops; inert unless "
                "VLLM_ROCM_USE_AITER=1 (a warning says so once).")
        for n in AITER_SUBFLAGS
    ),
    FlagDoc("VLLM_USE_DEEP_GEMM", "1", "Allow deep_gemm kernels on CUDA when installed and new enough."),
    FlagDoc("VLLM_DISABLED_KERNELS", "(empty)",
            "Comma list of `provider.op` or `provider` that must not run, e.g. `triton.mhc_post,aiter`."),
    FlagDoc("OPDISPATCH_BACKEND", "(empty)",
            "Force a provider for every op (`triton`) and/or per op (`mhc_pre=torch_ref,top_k_per_row_prefill=triton`). "
            "A forced provider that cannot run is an error."),
    FlagDoc("OPDISPATCH_CUSTOM_OPS", "all",
            "vLLM-style `all` / `none` plus `+op` / `-op`; a disabled op runs forward_native (torch_ref)."),
    FlagDoc("OPDISPATCH_ALLOW_KNOWN_BAD", "(empty)",
            "Comma list of `provider.op` or `provider` from the known-bad table to allow anyway."),
    FlagDoc("OPDISPATCH_PLATFORM", "(detected)", "Simulate a platform: `cuda`, `rocm` or `cpu`."),
    FlagDoc("OPDISPATCH_ROCM_ARCH", "(detected; gfx942 when simulated)",
            "Simulate a ROCm arch, e.g. `gfx942` (fp8 e4m3fnuz) or `gfx950` (e4m3fn)."),
    FlagDoc("OPDISPATCH_DEBUG_CHECKS", "0",
            "Validate device data too (e.g. block tables long enough); costs host syncs, never on by default."),
)
FLAG_NAMES = tuple(d.name for d in FLAG_DOCS)


class FlagError(ValueError):
    """A flag has a bad value. The message names the variable."""


@dataclass(frozen=True)
class CustomOpsSpec:
    """Parsed ``OPDISPATCH_CUSTOM_OPS``."""

    default_enabled: bool = True
    enabled: frozenset[str] = frozenset()
    disabled: frozenset[str] = frozenset()

    def is_enabled(self, op: str) -> bool:
        if op in self.disabled:
            return False
        if op in self.enabled:
            return True
        return self.default_enabled


@dataclass(frozen=True)
class Flags:
    use_aiter: bool = False
    # Plain dicts, never mutated after parsing (torch.compile cannot trace a MappingProxyType when
    # a default op instance is first built inside a compiled region).
    aiter_subflags: Mapping[str, bool] = field(default_factory=lambda: {n: True for n in AITER_SUBFLAGS})
    use_deep_gemm: bool = True
    # (provider, op) pairs; op None means every op of that provider
    disabled_kernels: frozenset[tuple[str, str | None]] = frozenset()
    backend_all: str | None = None
    backend_per_op: Mapping[str, str] = field(default_factory=dict)
    custom_ops: CustomOpsSpec = CustomOpsSpec()
    allow_known_bad: frozenset[tuple[str, str | None]] = frozenset()
    platform: str | None = None
    rocm_arch: str | None = None
    debug_checks: bool = False

    def forced_backend(self, op: str) -> tuple[str, str] | None:
        """(provider, variable text) forced for ``op`` by OPDISPATCH_BACKEND, or None."""
        if op in self.backend_per_op:
            return self.backend_per_op[op], f"OPDISPATCH_BACKEND={op}={self.backend_per_op[op]}"
        if self.backend_all is not None:
            return self.backend_all, f"OPDISPATCH_BACKEND={self.backend_all}"
        return None

    def kernel_disabled(self, provider: str, op: str) -> bool:
        return (provider, None) in self.disabled_kernels or (provider, op) in self.disabled_kernels

    def known_bad_allowed(self, provider: str, op: str) -> bool:
        return (provider, None) in self.allow_known_bad or (provider, op) in self.allow_known_bad

    def op_names_mentioned(self) -> list[tuple[str, str]]:
        """(variable, op name) for every op a flag names, so the registry can check they exist."""
        out = [("VLLM_DISABLED_KERNELS", op) for _, op in self.disabled_kernels if op]
        out += [("OPDISPATCH_ALLOW_KNOWN_BAD", op) for _, op in self.allow_known_bad if op]
        out += [("OPDISPATCH_BACKEND", op) for op in self.backend_per_op]
        out += [("OPDISPATCH_CUSTOM_OPS", op) for op in self.custom_ops.enabled | self.custom_ops.disabled]
        return out


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _parse_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = _get(env, name)
    if value is None:
        return default
    low = value.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise FlagError(
        f"{name}={value!r} is not a boolean; accepted values: 1/0/true/false/yes/no (any case)"
    )


def _split_list(value: str | None) -> list[str]:
    if value is None:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


def _check_provider(name: str, provider: str, item: str) -> str:
    if provider not in PROVIDERS:
        raise FlagError(
            f"{name}: unknown provider {provider!r} in {item!r}; providers: {', '.join(PROVIDERS)}"
        )
    return provider


def _parse_kernel_list(env: Mapping[str, str], name: str) -> frozenset[tuple[str, str | None]]:
    out = set()
    for item in _split_list(_get(env, name)):
        provider, _, op = item.partition(".")
        if _ and not op:
            raise FlagError(f"{name}: {item!r} names no op after the '.'; expected provider or provider.op")
        out.add((_check_provider(name, provider, item), op or None))
    return frozenset(out)


def _parse_backend(env: Mapping[str, str]) -> tuple[str | None, Mapping[str, str]]:
    name = "OPDISPATCH_BACKEND"
    backend_all = None
    per_op: dict[str, str] = {}
    for item in _split_list(_get(env, name)):
        if "=" in item:
            op, _, provider = (s.strip() for s in item.partition("="))
            if not op:
                raise FlagError(f"{name}: {item!r} names no op before '='; expected op=provider")
            if op in per_op:
                raise FlagError(f"{name}: op {op!r} is given twice")
            per_op[op] = _check_provider(name, provider, item)
        else:
            if backend_all is not None:
                raise FlagError(f"{name}: two providers for every op ({backend_all!r} and {item!r}); give one")
            backend_all = _check_provider(name, item, item)
    return backend_all, per_op


def _parse_custom_ops(env: Mapping[str, str]) -> CustomOpsSpec:
    name = "OPDISPATCH_CUSTOM_OPS"
    value = _get(env, name)
    if value is None:
        return CustomOpsSpec()
    default = True
    base_seen = False
    enabled: set[str] = set()
    disabled: set[str] = set()
    for item in _split_list(value):
        low = item.lower()
        if low in ("all", "none"):
            if base_seen:
                raise FlagError(f"{name}: give at most one of 'all' / 'none', got {value!r}")
            base_seen = True
            default = low == "all"
        elif item[0] in "+-" and len(item) > 1:
            op = item[1:].strip()
            (enabled if item[0] == "+" else disabled).add(op)
        else:
            raise FlagError(
                f"{name}: {item!r} is not understood; expected 'all', 'none', '+op' or '-op'"
            )
    both = enabled & disabled
    if both:
        raise FlagError(f"{name}: {sorted(both)} both enabled and disabled")
    return CustomOpsSpec(default, frozenset(enabled), frozenset(disabled))


def _parse_platform(env: Mapping[str, str]) -> str | None:
    value = _get(env, "OPDISPATCH_PLATFORM")
    if value is None:
        return None
    low = value.lower()
    if low not in ("cuda", "rocm", "cpu"):
        raise FlagError(f"OPDISPATCH_PLATFORM={value!r}; accepted values: cuda, rocm, cpu")
    return low


def _parse_rocm_arch(env: Mapping[str, str]) -> str | None:
    value = _get(env, "OPDISPATCH_ROCM_ARCH")
    if value is None:
        return None
    low = value.lower()
    if not (low.startswith("gfx") and len(low) > 3 and low[3:].isalnum()):
        raise FlagError(f"OPDISPATCH_ROCM_ARCH={value!r}; expected a gfx arch such as gfx942 or gfx950")
    return low


_warned_inert: set[str] = set()


def parse_flags(env: Mapping[str, str]) -> Flags:
    """Parse every variable from ``env``. Raises :class:`FlagError` naming a bad variable."""
    use_aiter = _parse_bool(env, "VLLM_ROCM_USE_AITER", False)
    subflags = {n: _parse_bool(env, n, True) for n in AITER_SUBFLAGS}
    if not use_aiter:
        for n in AITER_SUBFLAGS:
            if _get(env, n) is not None and n not in _warned_inert:
                _warned_inert.add(n)
                logger.warning("%s is set but inert: VLLM_ROCM_USE_AITER is off", n)
    backend_all, backend_per_op = _parse_backend(env)
    return Flags(
        use_aiter=use_aiter,
        aiter_subflags=subflags,
        use_deep_gemm=_parse_bool(env, "VLLM_USE_DEEP_GEMM", True),
        disabled_kernels=_parse_kernel_list(env, "VLLM_DISABLED_KERNELS"),
        backend_all=backend_all,
        backend_per_op=backend_per_op,
        custom_ops=_parse_custom_ops(env),
        allow_known_bad=_parse_kernel_list(env, "OPDISPATCH_ALLOW_KNOWN_BAD"),
        platform=_parse_platform(env),
        rocm_arch=_parse_rocm_arch(env),
        debug_checks=_parse_bool(env, "OPDISPATCH_DEBUG_CHECKS", False),
    )


_flags: Flags | None = None
_generation = 0


def get_flags() -> Flags:
    """The flags, parsed from ``os.environ`` on first use and cached."""
    global _flags
    if _flags is None:
        _flags = parse_flags(os.environ)
    return _flags


def flags_generation() -> int:
    """A counter bumped by every re-read; cached decisions compare against it."""
    return _generation


def reload_flags() -> Flags:
    """Re-read the environment. Default op instances re-resolve their provider on next use.

    Raises :class:`FlagError` for a bad value; the previous flags then stay in force.
    """
    global _flags, _generation
    new = parse_flags(os.environ)
    _flags = new
    _generation += 1
    return new


@contextlib.contextmanager
def override_flags(**variables: str | bool | None) -> Iterator[Flags]:
    """Set environment variables for a block, re-read the flags, and restore both afterwards.

    ``override_flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True)``; a value of None
    unsets the variable; booleans become "1"/"0".
    """
    unknown = sorted(set(variables) - set(FLAG_NAMES))
    if unknown:
        raise FlagError(f"override_flags: unknown variable(s) {unknown}; known: {', '.join(FLAG_NAMES)}")
    saved = {k: os.environ.get(k) for k in variables}

    def _restore() -> None:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    for k, v in variables.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = ("1" if v else "0") if isinstance(v, bool) else str(v)
    try:
        flags = reload_flags()
    except BaseException:
        _restore()
        raise
    try:
        yield flags
    finally:
        _restore()
        reload_flags()
