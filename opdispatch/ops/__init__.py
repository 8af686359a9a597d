"""The op families. Each module defines its CustomOp classes, registers its providers and lists
its public functions in ``__all__``; importing this package registers every op."""

import importlib
import importlib.util

FAMILIES = ("quant", "topk", "indexer", "mhc", "fused")

__all__: list[str] = []
_only = __import__("os").environ.get("OPDISPATCH_DEV_FAMILIES")
for _family in FAMILIES:
    if importlib.util.find_spec(f"opdispatch.ops.{_family}") is None:  # DEV-GUARD
        continue
    if _only is not None and _family not in _only.split(","):  # DEV-GUARD
        continue
    _module = importlib.import_module(f"opdispatch.ops.{_family}")
    for _name in _module.__all__:
        globals()[_name] = getattr(_module, _name)
    __all__ += list(_module.__all__)
