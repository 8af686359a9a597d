"""Kernels known to be wrong: one row each, data, not code paths.

A row switches its kernel off (dispatch moves on to the next provider, and ``explain`` shows the
row's problem as the reason) until ``fixed_probe`` says the installed vendor package has the fix,
or the user allows it with ``OPDISPATCH_ALLOW_KNOWN_BAD=provider.op`` (or ``=provider``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownBad:
    provider: str
    op: str
    problem: str  # what goes wrong, one line
    fixed_in: str  # where it is fixed upstream (version or commit)
    # Returns True when the installed package is known to contain the fix. None: no probe can
    # tell yet, so the kernel stays off until a person adds one.
    fixed_probe: Callable[[], bool] | None = None

    @property
    def force_hint(self) -> str:
        return f"OPDISPATCH_ALLOW_KNOWN_BAD={self.provider}.{self.op}"

    def is_fixed(self) -> bool:
        if self.fixed_probe is None:
            return False
        try:
            return bool(self.fixed_probe())
        except Exception:  # a failing probe proves nothing: keep the kernel off
            return False

    def reason(self) -> str:
        return f"known bad: {self.problem} (fixed in {self.fixed_in}; allow with {self.force_hint})"


_AITER_MHC_PROBLEM = "aiter's mHC kernels give wrong results at large token counts"
_AITER_MHC_FIX = "ROCm/aiter commit b639cb63, not yet in a release that a version check can identify"

KNOWN_BAD: tuple[KnownBad, ...] = (
    KnownBad("aiter", "mhc_pre", _AITER_MHC_PROBLEM, _AITER_MHC_FIX),
    KnownBad("aiter", "mhc_post", _AITER_MHC_PROBLEM, _AITER_MHC_FIX),
    KnownBad("aiter", "mhc_fused_post_pre", _AITER_MHC_PROBLEM, _AITER_MHC_FIX),
    KnownBad("aiter", "hc_head", _AITER_MHC_PROBLEM, _AITER_MHC_FIX),
)


def find_known_bad(provider: str, op: str, table: tuple[KnownBad, ...] | None = None) -> KnownBad | None:
    """The row for (provider, op) that is still in force (not fixed), or None."""
    for row in KNOWN_BAD if table is None else table:
        if row.provider == provider and row.op == op and not row.is_fixed():
            return row
    return None
