"""torch.library registration of kernel providers: define + impl + fake in one call.

Every non-reference provider of an op is an opaque operator ``torch.ops.opdispatch.<name>``
(``<name>`` is ``<op>_<provider>``), so that ``torch.compile`` never traces into a Triton kernel
or a vendor call (Inductor's ``decompose_triton_kernel_wrapper_functional`` cannot assert on what
it cannot see) and CUDA graphs capture a single launch. Providers take preallocated outputs and
return nothing, so the fake impl has nothing to compute: it only has to exist.

The schema is inferred from the function's type hints; ``mutates_args`` must name exactly the
outputs the function writes (``torch.library.opcheck`` checks that). Registration goes through
``torch.library.Library`` directly rather than the ``custom_op`` decorator: a call then costs one
trip through the C++ dispatcher into the Python function (see docs/dispatch.md for the figure).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

NAMESPACE = "opdispatch"
_lib = torch.library.Library(NAMESPACE, "FRAGMENT")

# name -> the OpOverload, for opcheck and the compile suite
KERNEL_OPS: dict[str, Any] = {}


# Keyword names of torch's auto_functionalized(_v2) higher-order op, which calls mutating ops
# with the op's own arguments as keywords: an argument of the same name breaks torch.compile.
RESERVED_ARG_NAMES = frozenset({"mode", "_mutable_op", "_only_clone_these_tensors", "_all_bases"})


def _noop_fake(*args: Any, **kwargs: Any) -> None:
    return None


def kernel_op(
    name: str,
    fn: Callable[..., Any],
    *,
    mutates_args: Sequence[str],
    fake: Callable[..., Any] | None = None,
) -> Any:
    """Register ``fn`` as ``torch.ops.opdispatch.<name>`` and return the callable op overload.

    ``fn`` must be fully type-hinted (Tensor, int, float, bool, str, Optional[...], list[int] ...).
    ``fake`` defaults to a no-op, right for functions returning None; a function that returns
    tensors must pass a fake that builds them with the right shape, dtype and strides.
    """
    if name in KERNEL_OPS:
        raise ValueError(f"torch.ops.{NAMESPACE}.{name} is already registered")
    mutates_args = tuple(mutates_args)
    import inspect

    clash = RESERVED_ARG_NAMES & set(inspect.signature(fn).parameters)
    if clash:
        raise ValueError(f"{name}: argument name(s) {sorted(clash)} clash with torch.compile's "
                         "auto_functionalized wrapper; rename them")
    schema = torch.library.infer_schema(fn, mutates_args=mutates_args)
    if fake is None and not schema.endswith("-> ()"):
        raise ValueError(f"{name}: a function that returns tensors needs an explicit fake impl")
    _lib.define(name + schema)
    # One kernel for every backend (CPU tensors under TRITON_INTERPRET=1, CUDA, ROCm).
    _lib.impl(name, fn, "CompositeExplicitAutograd")
    torch.library.register_fake(f"{NAMESPACE}::{name}", fake or _noop_fake, lib=_lib)
    op = getattr(getattr(torch.ops, NAMESPACE), name).default
    KERNEL_OPS[name] = op
    return op
