"""``opdispatch bench`` cases, one module per op family (loaded on demand, not at import)."""

import importlib


def load_all() -> None:
    from opdispatch.ops import FAMILIES

    for family in FAMILIES:
        importlib.import_module(f"opdispatch.benchmarks.{family}")
