"""A cheaper host path for launching the library's Triton kernels (CUDA).

``kernel[grid](*args, **kwargs)`` goes through Triton's ``JITFunction.run`` on every call: it
binds the arguments, specialises each one (C++ per argument), builds the cache key, looks the
compiled kernel up and calls its launcher. On the H100 machine that is ~20 us for a kernel of 18
arguments and 30-50 us for the library's kernels of 30-45 (session 23,
``benchmarks/launch_probe.py``): a 3-launch top-k call spent 160 us of host time for 37 us of
GPU time, so eager callers (no CUDA graph) were host-bound.

:func:`fast` wraps a ``@triton.jit`` function; ``fast(kernel)[grid](*args, **kwargs)`` is the
same call. The first call with a given *launch key* goes through Triton as before (compiling if
needed) and keeps the compiled kernel it returns; later calls with the same key call that
kernel's launcher directly. The launch key holds everything Triton's choice of compiled kernel
depends on, taken more finely than Triton takes it, so one key never maps to two of Triton's
kernels:
- per constexpr parameter, its value; per launch option (``num_warps``, ``maxnreg``, ...), its value;
- per tensor, its dtype and whether its address is 16-byte aligned;
- per int, whether it is 1, whether it is divisible by 16, and its width class (i32 / i64 /
  u64 by value range); per bool its value; per float nothing (Triton does not specialise them);
- the device index and the parameters left to their defaults (the key has the call's shape:
  which arguments were passed by position and which by name).
An argument of any other kind (a tensor descriptor, a dtype passed to a non-constexpr
parameter), a grid that is not a tuple of ints, or launch hooks set by a profiler send the call
through Triton's path, every time.

Where it is used: CUDA only (``torch.version.hip`` unset and ``TRITON_INTERPRET`` off; the
interpreter has no compiled kernels, and ROCm's launcher was not tried: no AMD GPU here).
``OPDISPATCH_FAST_LAUNCH`` (flags): ``1`` (default) as above, ``0`` Triton's path on every
call, ``check`` the fast path with, on every call, Triton's own selection (``warmup=True``:
no launch) compared against the cached kernel (a mismatch raises; for tests).
"""

from __future__ import annotations

import os
from typing import Any

import torch
import triton

_MODES = ("0", "1", "check")

# Launch options of JITFunction.run: compile options, not kernel parameters.
_OPTION_NAMES = frozenset({"num_warps", "num_stages", "num_ctas", "maxnreg", "launch_pdl",
                           "launch_cooperative_grid", "enable_fp_fusion", "debug",
                           "waves_per_eu", "matrix_instr_nonkdim", "kpack", "num_buffers_warp_spec",
                           "num_consumer_groups", "reg_dec_producer", "reg_inc_consumer"})


def _mode() -> str:
    from opdispatch.dispatch.flags import get_flags

    return get_flags().fast_launch


def _enabled_here(device_type: str) -> bool:
    return (device_type == "cuda" and torch.version.hip is None
            and os.environ.get("TRITON_INTERPRET", "0") in ("", "0"))


def _int_key(v: int) -> tuple:
    if -2**31 <= v < 2**31:
        width = 0
    elif -2**63 <= v < 2**63:
        width = 1
    else:
        width = 2
    return (v == 1, v % 16 == 0, width)


class _Unsupported(Exception):
    pass


def _arg_key(v: Any) -> Any:
    """The part of a non-constexpr argument that Triton's specialisation can see."""
    if isinstance(v, torch.Tensor):
        return (v.dtype, v.data_ptr() % 16 == 0)
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, int):
        return _int_key(v)
    if isinstance(v, float):
        return "f"
    if v is None:
        return None
    raise _Unsupported(type(v).__name__)


class FastKernel:
    """``fast(kernel)``: see the module docstring."""

    def __init__(self, jit_fn: Any) -> None:
        self.jit = jit_fn
        self.index: dict | None = None     # set on the first fast-path call (_bind_params)
        self.cache: dict = {}
        self.hits = 0
        self.misses = 0

    def _bind_params(self) -> None:
        params = self.jit.params
        names = [p.name for p in params]
        self.is_const = [p.is_constexpr for p in params]
        sig = self.jit.signature.parameters
        self.defaults = [sig[n].default for n in names]
        self.index = {n: i for i, n in enumerate(names)}

    def __getitem__(self, grid: Any) -> Any:
        return lambda *args, **kwargs: self.launch(grid, args, kwargs)

    def _key(self, args: tuple, kwargs: dict) -> tuple:
        key: list = []
        is_const = self.is_const
        for i, v in enumerate(args):
            key.append(v if is_const[i] else _arg_key(v))
        for name, v in kwargs.items():
            i = self.index.get(name)
            if i is None:
                if name not in _OPTION_NAMES:
                    raise _Unsupported(name)
                key.append((name, v))
            else:
                key.append((name, v if is_const[i] else _arg_key(v)))
        return tuple(key)

    def _full_args(self, args: tuple, kwargs: dict) -> list:
        full = list(args) + self.defaults[len(args):]
        index = self.index
        for name, v in kwargs.items():
            i = index.get(name)
            if i is not None:
                full[i] = v
        return full

    def launch(self, grid: Any, args: tuple, kwargs: dict) -> Any:
        mode = _mode()
        if mode == "0" or not _enabled_here(_device_type(args, kwargs)):
            return self.jit[grid](*args, **kwargs)
        from triton import knobs

        runtime = knobs.runtime
        if _hook_set(runtime.launch_enter_hook) or _hook_set(runtime.launch_exit_hook):
            return self.jit[grid](*args, **kwargs)
        if self.index is None:
            self._bind_params()
        try:
            g = tuple(int(x) for x in grid)
            dev = _current_device()
            key = (dev, len(args), self._key(args, kwargs))
            hash(key)
        except (_Unsupported, TypeError, ValueError):
            return self.jit[grid](*args, **kwargs)
        ck = self.cache.get(key)
        if ck is None:
            self.misses += 1
            ck = self.jit[grid](*args, **kwargs)
            if hasattr(ck, "result"):       # Triton's asynchronous compile mode
                ck = ck.result()
            ck.run                             # noqa: B018  (binds the launcher: _init_handles)
            self.cache[key] = ck
            return ck
        self.hits += 1
        if mode == "check":
            want = self.jit.run(*args, grid=grid, warmup=True, **kwargs)
            if hasattr(want, "result"):
                want = want.result()
            if want is not ck:
                raise RuntimeError(
                    f"fast launch of {self.jit.__name__}: the cached kernel ({ck.hash}) is not the "
                    f"one Triton selects ({want.hash}) for key {key}")
        g0 = g[0]
        g1 = g[1] if len(g) > 1 else 1
        g2 = g[2] if len(g) > 2 else 1
        stream = _current_stream(dev)
        ck.run(g0, g1, g2, stream, ck.function, ck.packed_metadata, None, None, None,
               *self._full_args(args, kwargs))
        return ck


def _hook_set(hook: Any) -> bool:
    """A launch hook is set: Triton 3.6 keeps None or a callable, later versions a HookChain
    (callable, with a list ``calls`` that is empty when nothing is registered)."""
    return hook is not None and bool(getattr(hook, "calls", True))


def _current_device() -> int:
    return triton.runtime.driver.active.get_current_device()


def _current_stream(dev: int) -> int:
    return triton.runtime.driver.active.get_current_stream(dev)


def _device_type(args: tuple, kwargs: dict) -> str:
    for v in args:
        if isinstance(v, torch.Tensor):
            return v.device.type
    for v in kwargs.values():
        if isinstance(v, torch.Tensor):
            return v.device.type
    return "cpu"


_WRAPPED: dict = {}


def fast(jit_fn: Any) -> FastKernel:
    """The launch wrapper of ``jit_fn`` (one per kernel, shared)."""
    w = _WRAPPED.get(jit_fn)
    if w is None:
        w = _WRAPPED[jit_fn] = FastKernel(jit_fn)
    return w


__all__ = ["FastKernel", "fast"]
