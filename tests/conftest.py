"""Test tiers, NaN-poisoned outputs, platform simulation and vendor test doubles.

Tiers (pytest markers; every test must carry exactly one):
  native    CI, any machine: dispatch, flags, torch_ref, CLI
  interp    CI: Triton kernels through TRITON_INTERPRET=1 on CPU tensors
  rocm_sim  CI: OPDISPATCH_PLATFORM=rocm, fnuz fp8, aiter through a recording test double
  cuda      GPU only: real kernels, large shapes, compile, CUDA graphs
  rocm      ROCm machine with aiter only
"""

from __future__ import annotations

import os

# The Triton interpreter must be chosen before triton is imported (kernels read it when they are
# decorated). On a machine without a GPU, every Triton kernel runs through it on CPU tensors.
if "TRITON_INTERPRET" not in os.environ:
    import torch as _torch

    if not _torch.cuda.is_available():
        os.environ["TRITON_INTERPRET"] = "1"

# Tests start from a clean slate: no opdispatch/vLLM flag from the caller's shell leaks in.
if os.environ.get("OPDISPATCH_TEST_KEEP_ENV") != "1":
    from opdispatch.dispatch.flags import FLAG_NAMES as _FLAG_NAMES

    for _name in _FLAG_NAMES:
        os.environ.pop(_name, None)

import sys  # noqa: E402
import types  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

from opdispatch.dispatch import alloc, registry  # noqa: E402
from opdispatch.dispatch.flags import override_flags, reload_flags  # noqa: E402

TIERS = ("native", "interp", "rocm_sim", "cuda", "rocm")


def _has_gpu() -> bool:
    return torch.cuda.is_available()


def _is_real_rocm_with_aiter() -> bool:
    if not (_has_gpu() and torch.version.hip is not None):
        return False
    try:
        import aiter  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    interp = os.environ.get("TRITON_INTERPRET") == "1"
    for item in items:
        tiers = [m.name for m in item.iter_markers() if m.name in TIERS]
        if len(set(tiers)) != 1:
            raise pytest.UsageError(
                f"{item.nodeid}: every test carries exactly one tier marker of {TIERS}, found {tiers or 'none'}"
            )
        tier = tiers[0]
        if tier == "cuda" and not (_has_gpu() and torch.version.cuda is not None):
            item.add_marker(pytest.mark.skip(reason="cuda tier: no NVIDIA GPU here"))
        elif tier == "rocm" and not _is_real_rocm_with_aiter():
            item.add_marker(pytest.mark.skip(reason="rocm tier: needs a ROCm GPU with aiter installed (none here)"))
        elif tier in ("interp", "rocm_sim") and not interp:
            item.add_marker(pytest.mark.skip(reason=f"{tier} tier: runs with TRITON_INTERPRET=1 on CPU tensors"))


@pytest.fixture(autouse=True)
def _poison_and_clean_flags() -> Iterator[None]:
    """Every output allocated by an op is poisoned; flags are re-read after each test."""
    alloc.set_poison(True)
    yield
    alloc.set_poison(False)
    reload_flags()
    registry.reset_probes()


@pytest.fixture
def device() -> torch.device:
    """The device the current tier runs on: cuda when a GPU is here, else cpu."""
    return torch.device("cuda" if _has_gpu() else "cpu")


@pytest.fixture
def flags() -> Callable[..., Any]:
    """``with flags(VLLM_ROCM_USE_AITER=True): ...``: opdispatch.override_flags."""
    return override_flags


@pytest.fixture
def rocm_sim() -> Iterator[Any]:
    """Simulate ROCm on gfx942 (fp8 e4m3fnuz, max 224)."""
    from opdispatch.dispatch.platform import current_platform

    with override_flags(OPDISPATCH_PLATFORM="rocm", OPDISPATCH_ROCM_ARCH="gfx942"):
        yield current_platform()


@pytest.fixture
def cuda_sim() -> Iterator[Any]:
    """Simulate CUDA (sm_90 unless a real GPU says otherwise)."""
    from opdispatch.dispatch.platform import current_platform

    with override_flags(OPDISPATCH_PLATFORM="cuda"):
        yield current_platform()


class RecordingModule:
    """A fake vendor package built from a table of dotted names to functions.

    ``calls`` lists ``(dotted_name, args, kwargs)`` for every call, in order. Submodules are
    real ``types.ModuleType`` objects registered in ``sys.modules`` so ``import aiter.ops.x``
    and ``importlib.import_module`` find them; everything is removed when the fixture ends.
    """

    def __init__(self, root: str, functions: dict[str, Callable[..., Any]],
                 attrs: dict[str, Any] | None = None) -> None:
        self.root = root
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.modules: dict[str, types.ModuleType] = {}
        self._module(root)
        for dotted, fn in functions.items():
            parent, _, leaf = f"{root}.{dotted}".rpartition(".")
            setattr(self._module(parent), leaf, self._record(dotted, fn))
        for dotted, value in (attrs or {}).items():
            parent, _, leaf = f"{root}.{dotted}".rpartition(".")
            setattr(self._module(parent), leaf, value)

    def _module(self, name: str) -> types.ModuleType:
        if name not in self.modules:
            mod = types.ModuleType(name)
            mod.__path__ = []  # a package, so submodule imports resolve through sys.modules
            self.modules[name] = mod
            parent, _, leaf = name.rpartition(".")
            if parent:
                setattr(self._module(parent), leaf, mod)
        return self.modules[name]

    def _record(self, dotted: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        import functools

        @functools.wraps(fn)  # keeps the signature, which probes inspect
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((dotted, args, kwargs))
            return fn(*args, **kwargs)

        return wrapper

    def names_called(self) -> list[str]:
        return [c[0] for c in self.calls]


def _fake_vendor(root: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., RecordingModule]:
    def install(functions: dict[str, Callable[..., Any]], attrs: dict[str, Any] | None = None) -> RecordingModule:
        rec = RecordingModule(root, functions, attrs)
        for name in [m for m in sys.modules if m == root or m.startswith(root + ".")]:
            monkeypatch.delitem(sys.modules, name)
        for name, mod in rec.modules.items():
            monkeypatch.setitem(sys.modules, name, mod)
        registry.reset_probes()
        reload_flags()  # default instances re-resolve against the fake
        return rec

    return install


@pytest.fixture
def fake_aiter(monkeypatch: pytest.MonkeyPatch) -> Callable[..., RecordingModule]:
    """``rec = fake_aiter({"ops.topk.top_k_per_row_prefill": fn}, attrs={"__version__": "0.1.7"})``"""
    return _fake_vendor("aiter", monkeypatch)


@pytest.fixture
def fake_deep_gemm(monkeypatch: pytest.MonkeyPatch) -> Callable[..., RecordingModule]:
    """``rec = fake_deep_gemm({"fp8_mqa_logits": fn})``"""
    return _fake_vendor("deep_gemm", monkeypatch)
