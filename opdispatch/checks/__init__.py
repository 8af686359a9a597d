"""``opdispatch check`` cases, one module per op family (loaded on demand, not at import)."""

import importlib
import os
import importlib.util


def load_all() -> None:
    from opdispatch.ops import FAMILIES

    for family in FAMILIES:
        if importlib.util.find_spec(f"opdispatch.checks.{family}") is None:  # DEV-GUARD
            continue
        if os.environ.get("OPDISPATCH_DEV_FAMILIES") is not None and family not in os.environ["OPDISPATCH_DEV_FAMILIES"].split(","):  # DEV-GUARD
            continue
        importlib.import_module(f"opdispatch.checks.{family}")
