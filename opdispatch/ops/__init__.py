"""The op families. Each module defines its CustomOp classes, registers its providers and lists
its public functions in ``__all__``; importing this package registers every op."""

import importlib

FAMILIES = ("quant", "topk", "indexer", "mhc", "fused")

__all__: list[str] = []
for _family in FAMILIES:
    _module = importlib.import_module(f"opdispatch.ops.{_family}")
    for _name in _module.__all__:
        globals()[_name] = getattr(_module, _name)
    __all__ += list(_module.__all__)
