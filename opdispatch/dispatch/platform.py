"""What machine this is: cuda, rocm or cpu, and what follows from it (fp8 dtype and max).

Detected lazily, once, on the first call of :func:`current_platform`. Importing this module
initialises nothing. ``torch.cuda.is_available()`` does not create a CUDA context; the device
capability and gfx arch are read only when asked for.

``OPDISPATCH_PLATFORM=cuda|rocm|cpu`` and ``OPDISPATCH_ROCM_ARCH=gfx942|gfx950|...`` simulate a
platform (tests and CI); they are parsed in :mod:`opdispatch.dispatch.flags` with the other
variables.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

PLATFORMS = ("cuda", "rocm", "cpu")

# gfx94x (MI300 family) implements the "fnuz" fp8 variant: no negative zero, NaN = 0x80, max 240
# in hardware; kernels use 224 as the saturation bound (the value aiter, vLLM and PyTorch's ROCm
# path use, so that scales agree across libraries). gfx950 (MI350) and NVIDIA use OCP e4m3fn.
FNUZ_ARCHS = ("gfx940", "gfx941", "gfx942")
DEFAULT_SIMULATED_ROCM_ARCH = "gfx942"
DEFAULT_SIMULATED_CUDA_CAPABILITY = (9, 0)

_FP8_MAX = {
    torch.float8_e4m3fn: 448.0,
    torch.float8_e4m3fnuz: 224.0,
}


def fp8_max_of(dtype: torch.dtype) -> float:
    """The saturation bound used for an fp8 dtype: 448.0 for e4m3fn, 224.0 for e4m3fnuz."""
    try:
        return _FP8_MAX[dtype]
    except KeyError:
        raise TypeError(
            f"fp8 dtype must be torch.float8_e4m3fn or torch.float8_e4m3fnuz, got {dtype}"
        ) from None


def is_fp8_dtype(dtype: torch.dtype) -> bool:
    return dtype in _FP8_MAX


def constant_in_traces(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``torch.compiler.assume_constant_result`` without importing torch._dynamo at import time
    (that import loads Triton; importing opdispatch must not). The decorator only sets this
    attribute, which Dynamo reads when it meets the call: it calls the function eagerly, once, and
    puts the result in the graph as a constant (checked against the real decorator by
    tests/core/test_library.py). For facts about the machine that cannot change in a process
    (device capability, installed packages) and that Dynamo cannot trace (torch.cuda queries,
    importlib), when a default op instance is first built inside torch.compile."""
    fn._dynamo_marked_constant = True  # type: ignore[attr-defined]
    return fn


@constant_in_traces
def _cuda_capability() -> tuple[int, int] | None:
    if torch.cuda.is_available() and torch.version.cuda is not None:
        major, minor = torch.cuda.get_device_capability()
        return (major, minor)
    return None


@functools.cache
def device_sm_count(device: torch.device, interpreter: int) -> int:
    """Multiprocessors of a GPU device (SMs; compute units on ROCm), for persistent grids;
    ``interpreter`` for any other device (CPU tensors through Triton's interpreter, where the
    caller picks a small grid). Cached per device: launchers call it on the host path."""
    if device.type == "cuda":
        return torch.cuda.get_device_properties(device).multi_processor_count
    return interpreter


@functools.cache
def cuda_device_capability(device: torch.device) -> tuple[int, int] | None:
    """(major, minor) of a CUDA device under a CUDA build of torch; None for any other device
    (CPU tensors, ROCm). Cached per device: kernels' feature probes call it on the host path."""
    if device.type != "cuda" or torch.version.hip is not None:
        return None
    major, minor = torch.cuda.get_device_capability(device)
    return (major, minor)


@constant_in_traces
def _rocm_arch() -> str | None:
    if torch.cuda.is_available() and torch.version.hip is not None:
        # gcnArchName looks like "gfx942:sramecc+:xnack-"
        return torch.cuda.get_device_properties(0).gcnArchName.split(":")[0]
    return None


@constant_in_traces
def _cuda_available() -> bool:
    return torch.cuda.is_available()


@dataclass(frozen=True)
class Platform:
    """The platform ops dispatch for.

    ``name`` is ``cuda``, ``rocm`` or ``cpu``. ``simulated`` is True when it came from
    ``OPDISPATCH_PLATFORM`` rather than from the hardware. ``device_type`` is the torch device
    type tensors live on (``cuda`` for both GPU platforms, as PyTorch's ROCm build spells it).
    """

    name: str
    simulated: bool = False
    rocm_arch_override: str | None = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def is_cuda(self) -> bool:
        return self.name == "cuda"

    def is_rocm(self) -> bool:
        return self.name == "rocm"

    def is_cpu(self) -> bool:
        return self.name == "cpu"

    @property
    def device_type(self) -> str:
        return "cpu" if self.is_cpu() else "cuda"

    @property
    def has_real_gpu(self) -> bool:
        """True when a GPU of this platform is present (not simulated)."""
        return not self.is_cpu() and _cuda_available() and not self.simulated

    @property
    def device_capability(self) -> tuple[int, int] | None:
        """CUDA compute capability (e.g. (9, 0)); None on ROCm and CPU."""
        if not self.is_cuda():
            return None
        if "cap" not in self._cache:
            self._cache["cap"] = _cuda_capability() or DEFAULT_SIMULATED_CUDA_CAPABILITY
        return self._cache["cap"]

    @property
    def gfx_arch(self) -> str | None:
        """ROCm gfx arch (e.g. ``gfx942``); None on CUDA and CPU."""
        if not self.is_rocm():
            return None
        if "arch" not in self._cache:
            arch = self.rocm_arch_override
            if arch is None:
                arch = _rocm_arch()
            self._cache["arch"] = arch or DEFAULT_SIMULATED_ROCM_ARCH
        return self._cache["arch"]

    @property
    def fp8_dtype(self) -> torch.dtype:
        """``torch.float8_e4m3fnuz`` on gfx94x, ``torch.float8_e4m3fn`` everywhere else."""
        if self.is_rocm() and self.gfx_arch in FNUZ_ARCHS:
            return torch.float8_e4m3fnuz
        return torch.float8_e4m3fn

    @property
    def fp8_max(self) -> float:
        return fp8_max_of(self.fp8_dtype)

    def describe(self) -> str:
        parts = [self.name]
        if self.is_cuda():
            major, minor = self.device_capability
            parts.append(f"sm_{major}{minor}")
        if self.is_rocm():
            parts.append(self.gfx_arch)
        if self.simulated:
            parts.append("simulated")
        return " ".join(parts)


def _detect() -> Platform:
    from opdispatch.dispatch.flags import get_flags

    flags = get_flags()
    if flags.platform is not None:
        return Platform(flags.platform, simulated=True, rocm_arch_override=flags.rocm_arch)
    if _cuda_available():
        if torch.version.hip is not None:
            return Platform("rocm", rocm_arch_override=flags.rocm_arch)
        return Platform("cuda")
    return Platform("cpu")


# (platform, flags generation) of the last detection: a plain global rather than functools.cache,
# which torch.compile warns about (and ignores) when it traces an op that asks for the platform.
_detected: tuple[Platform, int] | None = None


def current_platform() -> Platform:
    """The platform, detected once per flags generation (see :func:`opdispatch.reload_flags`)."""
    global _detected
    from opdispatch.dispatch.flags import flags_generation

    gen = flags_generation()
    if _detected is None or _detected[1] != gen:
        _detected = (_detect(), gen)
    return _detected[0]
