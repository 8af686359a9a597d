"""opdispatch: GPU ops for LLM inference (DeepSeek-V3.2/V4 family) that run the best kernel for
the platform they are on: CUDA, ROCm or CPU.

Every op is a :class:`CustomOp` class and a plain function using the class's default instance.
``opdispatch explain`` (or :func:`explain`) says which provider each op runs and why.
Importing this package initialises no CUDA context, imports no Triton and compiles nothing.
"""

from opdispatch.dispatch import (
    KNOWN_BAD,
    CustomOp,
    DispatchError,
    FlagError,
    current_platform,
    explain,
    get_flags,
    op_names,
    override_flags,
    reload_flags,
)
from opdispatch.ops import *  # noqa: F403  (each family's __all__)
from opdispatch.ops import __all__ as _ops_all

__version__ = "0.1.0"

__all__ = [
    "KNOWN_BAD", "CustomOp", "DispatchError", "FlagError", "current_platform", "explain",
    "get_flags", "op_names", "override_flags", "reload_flags", *_ops_all,
]

# Parse the flags now (the environment only: no CUDA, no Triton), so that a process whose first
# op call happens inside torch.compile does not parse them while Dynamo traces: torch 2.11's
# Dynamo cannot build the parsed flag objects ("Unexpected type in sourceless builder", a
# fullgraph error). A bad value is not raised here: the first op call raises FlagError, which
# names the variable.
try:
    get_flags()
except FlagError:
    pass
