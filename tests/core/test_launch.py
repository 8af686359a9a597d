"""The fast Triton launch path (opdispatch/backends/triton/launch.py) on a recording double.

The fast path needs compiled CUDA kernels, which this machine does not have; here a fake JIT
function stands in for Triton (it records each call through its own path and returns a fake
compiled kernel whose launcher records its arguments). What is checked: which calls reuse a
cached kernel and which go through Triton, the arguments the launcher gets (every parameter in
order, constexprs and defaults included), and the flag's modes. The GPU tier runs the library's
kernels with ``OPDISPATCH_FAST_LAUNCH=check`` (Triton's selection compared on every call).
"""

from __future__ import annotations

import inspect

import pytest
import torch
import triton.language as tl

from opdispatch.backends.triton import launch
from opdispatch.dispatch.flags import FlagError, override_flags, parse_flags

pytestmark = pytest.mark.native


class _Param:
    def __init__(self, name: str, constexpr: bool) -> None:
        self.name = name
        self.is_constexpr = constexpr


class _FakeCompiled:
    def __init__(self, tag: int) -> None:
        self.tag = tag
        self.hash = f"k{tag}"
        self.function = object()
        self.packed_metadata = object()
        self.launches: list = []

    @property
    def run(self):
        def _run(g0, g1, g2, stream, function, packed, meta, enter, exit_, *args):
            assert function is self.function and packed is self.packed_metadata
            assert meta is None and enter is None and exit_ is None
            self.launches.append(((g0, g1, g2), stream, args))
        return _run


def _kernel_src(p_x, n, scale, flag, BLOCK: tl.constexpr, MODE: tl.constexpr = 3, extra=7):
    pass


class _FakeJit:
    """Triton's JITFunction as far as launch.py uses it; one compiled kernel per distinct
    specialisation, as Triton keys them (what its binder would see)."""

    __name__ = "fake_kernel"

    def __init__(self) -> None:
        self.signature = inspect.signature(_kernel_src)
        self.params = [_Param(n, "constexpr" in str(p.annotation))
                       for n, p in self.signature.parameters.items()]
        self.compiled: dict = {}
        self.jit_calls = 0

    def _triton_key(self, args, kwargs):
        bound = self.signature.bind(*args, **{k: v for k, v in kwargs.items()
                                              if k in self.signature.parameters})
        bound.apply_defaults()
        key = []
        for p, v in zip(self.params, bound.arguments.values(), strict=True):
            if p.is_constexpr:
                key.append(v)
            elif isinstance(v, torch.Tensor):
                key.append((v.dtype, v.data_ptr() % 16 == 0))
            elif isinstance(v, bool):
                key.append("u1")
            elif isinstance(v, int):
                key.append(1 if v == 1 else ("i32" if -2**31 <= v < 2**31 else "i64", v % 16 == 0))
            else:
                key.append(type(v).__name__)
        opts = tuple(sorted((k, v) for k, v in kwargs.items() if k not in self.signature.parameters))
        return tuple(key) + opts

    def _select(self, args, kwargs):
        key = self._triton_key(args, kwargs)
        if key not in self.compiled:
            self.compiled[key] = _FakeCompiled(len(self.compiled))
        return self.compiled[key]

    def __getitem__(self, grid):
        def call(*args, **kwargs):
            self.jit_calls += 1
            return self._select(args, kwargs)
        return call

    def run(self, *args, grid, warmup, **kwargs):
        assert warmup
        return self._select(args, kwargs)


@pytest.fixture
def on_cuda(monkeypatch):
    """The fast path as on a CUDA device (the fakes stand in for the compiled kernels)."""
    monkeypatch.setattr(launch, "_enabled_here", lambda device_type: True)
    monkeypatch.setattr(launch, "_current_device", lambda: 0)
    monkeypatch.setattr(launch, "_current_stream", lambda dev: 1234)


def test_reuses_the_compiled_kernel_and_passes_every_parameter(on_cuda):
    jit = _FakeJit()
    k = launch.FastKernel(jit)
    x = torch.zeros(64)
    first = k[(5,)](x, 32, 0.5, True, BLOCK=16, num_warps=4)
    assert jit.jit_calls == 1 and first.launches == []          # the first call: Triton's path
    second = k[(5, 2)](x, 48, 0.25, True, BLOCK=16, num_warps=4)  # same key: 48 % 16 == 0
    assert second is first and jit.jit_calls == 1 and k.hits == 1
    (grid, stream, args), = first.launches
    assert grid == (5, 2, 1) and stream == 1234
    # every parameter in signature order: constexprs and defaults included
    assert args[1:] == (48, 0.25, True, 16, 3, 7) and args[0] is x


@pytest.mark.parametrize("change", ["int_one", "int_align", "int_wide", "ptr_align", "dtype",
                                    "constexpr", "option", "kwarg_form", "default_passed"])
def test_a_new_launch_key_goes_through_triton(on_cuda, change):
    jit = _FakeJit()
    k = launch.FastKernel(jit)
    x = torch.zeros(64)
    base = dict(args=(x, 32, 0.5, False), kwargs=dict(BLOCK=16, num_warps=4))
    k[(1,)](*base["args"], **base["kwargs"])
    args, kwargs = list(base["args"]), dict(base["kwargs"])
    if change == "int_one":
        args[1] = 1
    elif change == "int_align":
        args[1] = 33
    elif change == "int_wide":
        args[1] = 2**32
    elif change == "ptr_align":
        args[0] = x[1:]
    elif change == "dtype":
        args[0] = x.to(torch.float64)
    elif change == "constexpr":
        kwargs["BLOCK"] = 32
    elif change == "option":
        kwargs["num_warps"] = 8
    elif change == "kwarg_form":
        kwargs["flag"] = args.pop()
    elif change == "default_passed":
        kwargs["MODE"] = 3
    k[(1,)](*args, **kwargs)
    assert jit.jit_calls == 2 and k.hits == 0
    # and each key, seen again, is a hit on the kernel Triton chose for it
    k[(1,)](*args, **kwargs)
    assert jit.jit_calls == 2 and k.hits == 1
    assert jit._select(tuple(args), kwargs).launches


def test_unsupported_arguments_and_grids_always_take_triton_s_path(on_cuda):
    jit = _FakeJit()
    k = launch.FastKernel(jit)
    x = torch.zeros(64)
    for _ in range(2):
        k[(1,)](x, 32, 0.5, True, BLOCK=16, extra=object())      # an opaque object argument
        k[lambda meta: (1,)](x, 32, 0.5, True, BLOCK=16)         # a callable grid
        k[(1,)](x, 32, 0.5, True, BLOCK=16, unknown_option=1)    # not a parameter nor option
    assert jit.jit_calls == 6 and k.hits == 0 and not k.cache


def test_flag_modes(on_cuda):
    x = torch.zeros(64)
    with override_flags(OPDISPATCH_FAST_LAUNCH="0"):
        jit = _FakeJit()
        k = launch.FastKernel(jit)
        for _ in range(3):
            k[(1,)](x, 32, 0.5, True, BLOCK=16)
        assert jit.jit_calls == 3 and k.hits == 0
    with override_flags(OPDISPATCH_FAST_LAUNCH="check"):
        jit = _FakeJit()
        k = launch.FastKernel(jit)
        for _ in range(3):
            k[(1,)](x, 32, 0.5, True, BLOCK=16)
        assert jit.jit_calls == 1 and k.hits == 2
        # a cached kernel that is not the one Triton selects is an error in check mode
        key = next(iter(k.cache))
        k.cache[key] = _FakeCompiled(99)
        with pytest.raises(RuntimeError, match="not the one Triton selects"):
            k[(1,)](x, 32, 0.5, True, BLOCK=16)
    with pytest.raises(FlagError, match="OPDISPATCH_FAST_LAUNCH"):
        parse_flags({"OPDISPATCH_FAST_LAUNCH": "fast"})
    assert parse_flags({"OPDISPATCH_FAST_LAUNCH": "no"}).fast_launch == "0"
    assert parse_flags({}).fast_launch == "1"


def test_launch_hooks_take_triton_s_path(on_cuda, monkeypatch):
    from triton import knobs

    x = torch.zeros(64)
    # Triton 3.6 keeps a plain callable (None when unset); later versions a HookChain
    monkeypatch.setattr(knobs.runtime, "launch_enter_hook", lambda *a: None)
    jit = _FakeJit()
    k = launch.FastKernel(jit)
    for _ in range(2):
        k[(1,)](x, 32, 0.5, True, BLOCK=16)
    assert jit.jit_calls == 2 and k.hits == 0
    if hasattr(knobs, "HookChain"):
        chain = knobs.HookChain()
        monkeypatch.setattr(knobs.runtime, "launch_enter_hook", chain)
        jit = _FakeJit()
        k = launch.FastKernel(jit)
        k[(1,)](x, 32, 0.5, True, BLOCK=16)
        k[(1,)](x, 32, 0.5, True, BLOCK=16)
        assert jit.jit_calls == 1 and k.hits == 1               # an empty chain: no hook
        chain.add(lambda *a: None)
        k[(1,)](x, 32, 0.5, True, BLOCK=16)
        assert jit.jit_calls == 2 and k.hits == 1


def test_off_cuda_nothing_is_cached():
    # CPU tensors (the interpreter on this machine): Triton's path, no cache.
    jit = _FakeJit()
    k = launch.FastKernel(jit)
    x = torch.zeros(64)
    for _ in range(2):
        k[(1,)](x, 32, 0.5, True, BLOCK=16)
    assert jit.jit_calls == 2 and not k.cache
