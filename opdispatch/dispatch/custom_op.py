"""The CustomOp base class: one class per op, dispatch resolved once per instance.

An op class defines ``name`` (the name flags and ``explain`` use), optionally ``aiter_flag``
(the aiter sub-flag that gates it), and a public ``__call__`` that validates, allocates the
outputs and calls ``self.forward(...)`` with the op's *kernel signature* (see
docs/writing_an_op.md). ``self.forward`` is chosen once, at construction:

- ``forward_native``: torch_ref, the reference (always available);
- ``forward_cuda``: the provider selected for CUDA;
- ``forward_hip``: the provider selected for ROCm; falls back to ``forward_cuda`` when a subclass
  overrides only that;
- ``forward_cpu``: falls back to ``forward_native``.

A subclass (an out-of-tree override, registered with :meth:`CustomOp.register_oot`) may override
any ``forward_*`` method; the base class never overwrites the dispatched method at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import torch

from opdispatch.dispatch import registry
from opdispatch.dispatch.flags import flags_generation
from opdispatch.dispatch.platform import current_platform

_PLATFORM_METHOD = {"cuda": "forward_cuda", "rocm": "forward_hip", "cpu": "forward_cpu"}
_defaults: dict[str, CustomOp] = {}


class CustomOp:
    name: ClassVar[str]
    aiter_flag: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A class that sets its own name is an op; a subclass without one (an out-of-tree
        # override) belongs to its parent's op.
        if "name" in cls.__dict__:
            registry.register_op_class(cls)

    def __init__(self, provider: str | None = None) -> None:
        """``provider=None``: dispatch by platform, flags and priority. ``provider="triton"``:
        pin a provider (tests, ``opdispatch check``); raises DispatchError if it cannot run here."""
        self.platform = current_platform()
        self._generation = flags_generation()
        if provider is None:
            self.selection: registry.Selection | None = registry.select(self.name, self.platform)
            provider = self.selection.selected
        else:
            self.selection = None
            ok, why = registry.can_use(self.name, provider, self.platform)
            if not ok:
                raise registry.DispatchError(f"{self.name}: provider {provider} cannot run here: {why}")
        assert provider is not None
        self.provider: str = provider
        self.forward: Callable[..., Any] = self._resolve(provider)

    # ------------------------------------------------------------------ dispatch

    def _impl(self, provider: str) -> Callable[..., Any]:
        return registry.get_impl(self.name, provider).fn

    def _overrides(self, method: str) -> bool:
        return getattr(type(self), method) is not getattr(CustomOp, method)

    def _resolve(self, provider: str) -> Callable[..., Any]:
        if provider == "torch_ref":
            return self.forward_native if self._overrides("forward_native") else self._impl("torch_ref")
        method = _PLATFORM_METHOD[self.platform.name]
        if self._overrides(method):
            return getattr(self, method)
        if method == "forward_hip" and self._overrides("forward_cuda"):
            return self.forward_cuda
        # The provider's function itself: no extra Python frame on the hot path.
        return self._impl(provider)

    def forward_native(self, *args: Any, **kwargs: Any) -> Any:
        return self._impl("torch_ref")(*args, **kwargs)

    def forward_cuda(self, *args: Any, **kwargs: Any) -> Any:
        return self._impl(self.provider)(*args, **kwargs)

    def forward_hip(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward_cuda(*args, **kwargs)

    def forward_cpu(self, *args: Any, **kwargs: Any) -> Any:
        if self.provider != "torch_ref":  # triton forced on CPU tensors (TRITON_INTERPRET=1)
            return self._impl(self.provider)(*args, **kwargs)
        return self.forward_native(*args, **kwargs)

    # ------------------------------------------------------------------ instances

    @classmethod
    def default(cls) -> CustomOp:
        """The op's shared instance, resolved again after the flags are re-read.

        Inside a torch.compile region it builds a fresh instance at trace time and leaves the
        shared cache alone: reading or filling the cache there would make the compiled frame
        guard on it, and the next eager call (which fills it) would force a recompile. The
        instance only exists while tracing; the graph holds the provider's opaque op.
        """
        if torch.compiler.is_compiling():
            entry = registry.get_entry(cls.name)
            return (entry.oot_cls or entry.cls or cls)()
        inst = _defaults.get(cls.name)
        if inst is None or inst._generation != flags_generation():
            entry = registry.get_entry(cls.name)
            impl_cls = entry.oot_cls or entry.cls or cls
            inst = impl_cls()
            _defaults[cls.name] = inst
        return inst

    @classmethod
    def register_oot(cls, op_cls: type[CustomOp] | None = None) -> Any:
        """Register an out-of-tree subclass to serve as this op's default instance.

        Use as a decorator on a subclass of the op (``@MHCPost.register_oot``), or call
        ``MHCPost.register_oot(None)`` to restore the built-in class.
        """

        def _register(sub: type[CustomOp] | None) -> type[CustomOp] | None:
            registry.register_oot(cls.name, sub)
            _defaults.pop(cls.name, None)
            return sub

        if op_cls is None:
            _register(None)
            return None
        return _register(op_cls)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(op={self.name!r}, provider={self.provider!r}, platform={self.platform.name!r})"


def op_class(name: str) -> type[CustomOp]:
    """The class registered for op ``name``."""
    entry = registry.get_entry(name)
    if entry.cls is None:
        raise KeyError(f"op {name!r} has no CustomOp class")
    return entry.cls
