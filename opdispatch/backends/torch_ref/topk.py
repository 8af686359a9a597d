"""Top-k per row, the semantics in plain PyTorch (the oracle for every other provider).

Row r of ``logits [rows, cols]`` (float32, any strides) considers the columns
``[start_r, end_r)``; ``n_r = end_r - start_r``.

- ``n_r <= k``: the output row is ``0, 1, ..., n_r - 1`` then ``-1`` up to ``k``
  (an empty or negative-length row is all ``-1``).
- ``n_r > k``: the ``k`` columns holding the largest values, as indices local to the row
  start (``column - start_r``), int32. This reference returns them sorted by value,
  descending; other providers may return any order (ties may be broken either way).

Ordering: the usual float order, with ``-inf`` a valid (smallest) candidate and NaN ranked
above ``+inf`` (as ``torch.topk`` does). Columns outside ``[start_r, end_r)`` are never
selected.

Row bounds are clamped to ``[0, cols]`` first (callers should pass bounds inside the logits;
the clamp only keeps every provider from reading outside them).

Decode rows: ``rows = batch * next_n``; row r covers ``[0, seq_lens[r // next_n] - next_n +
r % next_n + 1)`` (query token ``r % next_n`` of a speculative-decode step sees the cache up
to and including itself).
"""

import torch

__all__ = [
    "decode_row_ends",
    "top_k_per_row_prefill",
    "top_k_per_row_prefill_into",
    "top_k_per_row_decode_into",
]

# Below every finite float32 (and -inf) yet still finite in float64: a valid -inf column must
# outrank the columns outside the row, which get -inf in float64.
_BELOW_FLOAT32 = -torch.finfo(torch.float64).max


def decode_row_ends(seq_lens: torch.Tensor, next_n: int, rows: int) -> torch.Tensor:
    """End column (exclusive) of every decode row, int64 ``[rows]``."""
    r = torch.arange(rows, device=seq_lens.device)
    return seq_lens.to(torch.int64)[r // next_n] - next_n + (r % next_n) + 1


def top_k_per_row_prefill(logits: torch.Tensor, row_starts: torch.Tensor,
                          row_ends: torch.Tensor, k: int) -> torch.Tensor:
    """The top-k indices, int32 ``[rows, k]`` (see the module docstring)."""
    rows, cols = logits.shape
    # Clamped to the logits, as the kernels do (they must never read outside them).
    starts = row_starts.to(torch.int64).view(rows, 1).clamp(min=0)
    ends = row_ends.to(torch.int64).view(rows, 1).clamp(max=cols)
    col = torch.arange(cols, device=logits.device).view(1, cols)
    inside = (col >= starts) & (col < ends)
    vals = logits.to(torch.float64)
    vals = torch.where(torch.isneginf(vals), _BELOW_FLOAT32, vals)
    vals = torch.where(inside, vals, float("-inf"))
    k_eff = min(k, cols)
    if k_eff > 0:
        picked = torch.topk(vals, k_eff, dim=1, largest=True, sorted=True).indices - starts
    else:
        picked = torch.empty(rows, 0, dtype=torch.int64, device=logits.device)
    selected = torch.full((rows, k), -1, dtype=torch.int64, device=logits.device)
    selected[:, :k_eff] = picked
    # Rows with n <= k: the identity prefix, no selection.
    n = (ends - starts).clamp(min=0)
    slot = torch.arange(k, device=logits.device).view(1, k)
    identity = torch.where(slot < n, slot, -1)
    return torch.where(n > k, selected, identity).to(torch.int32)


def top_k_per_row_prefill_into(logits: torch.Tensor, row_starts: torch.Tensor,
                               row_ends: torch.Tensor, out: torch.Tensor, k: int) -> None:
    """Kernel signature: writes ``out [rows, k]`` int32 in place."""
    out.copy_(top_k_per_row_prefill(logits, row_starts, row_ends, k))


def top_k_per_row_decode_into(logits: torch.Tensor, seq_lens: torch.Tensor, out: torch.Tensor,
                              next_n: int, k: int) -> None:
    """Kernel signature: writes ``out [rows, k]`` int32 in place (rows = batch * next_n)."""
    rows = logits.shape[0]
    ends = decode_row_ends(seq_lens, next_n, rows)
    starts = torch.zeros_like(ends)
    out.copy_(top_k_per_row_prefill(logits, starts, ends, k))
