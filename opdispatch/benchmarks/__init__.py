"""``opdispatch bench`` cases, one module per op family (loaded on demand, not at import)."""

import importlib
import importlib.util


def load_all() -> None:
    from opdispatch.ops import FAMILIES

    for family in FAMILIES:
        if importlib.util.find_spec(f"opdispatch.benchmarks.{family}") is None:  # DEV-GUARD
            continue
        importlib.import_module(f"opdispatch.benchmarks.{family}")
