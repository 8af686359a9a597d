"""``opdispatch check`` cases of the top-k ops (small shapes: the CPU run goes through the Triton
interpreter). Outputs are compared as the multiset of selected values per row: ties may be
broken either way, the values may not differ."""

from __future__ import annotations

import torch

from opdispatch.dispatch.checks import CheckCase, compare_equal, register_check


def _canonical(out, logits, starts):
    """Per row: the selected values sorted (NaN as +inf), -1 slots as -inf-like markers, and
    whether every index is in range; equal between providers iff the selections agree."""
    cols = logits.shape[1]
    idx = out.to(torch.int64)
    pos = (idx + starts.to(torch.int64).clamp(min=0).view(-1, 1))
    ok = ((idx == -1) | ((idx >= 0) & (pos < cols))).all(dim=1)
    v = logits.gather(1, pos.clamp(0, max(cols - 1, 0))).to(torch.float64)
    v = torch.where(torch.isnan(v), float("inf"), v)
    v = torch.where(idx >= 0, v, -torch.finfo(torch.float64).max)
    return v.sort(dim=1).values, ok


def _prefill_outputs(ret, args, kwargs):
    return _canonical(ret, args[0], args[1])


def _decode_outputs(ret, args, kwargs):
    return _canonical(ret, args[0], torch.zeros(ret.shape[0], dtype=torch.int32, device=ret.device))


def _logits(device, gen, rows, cols, ties=False):
    if ties:
        x = torch.randint(-3, 4, (rows, cols), generator=gen).float()
    else:
        x = torch.randn(rows, cols, generator=gen)
        x[:, ::13] = float("-inf")
    return x.to(device)


def _prefill_inputs(rows, cols, k, ties=False):
    def make(device, gen):
        x = _logits(device, gen, rows, cols, ties)
        starts = torch.randint(0, cols // 4 + 1, (rows,), generator=gen, dtype=torch.int32)
        ends = starts + torch.randint(0, cols, (rows,), generator=gen, dtype=torch.int32)
        return (x, starts.to(device), ends.to(device), k), {}
    return make


def _decode_inputs(batch, next_n, cols, k):
    def make(device, gen):
        x = _logits(device, gen, batch * next_n, cols)
        seq_lens = torch.randint(next_n, cols + 1, (batch,), generator=gen, dtype=torch.int32)
        return (x, next_n, seq_lens.to(device), k), {}
    return make


for _rows, _cols, _k, _ties in [(7, 300, 33, False), (5, 130, 64, True), (3, 40, 50, False)]:
    register_check(CheckCase(
        op="top_k_per_row_prefill", label=f"{_rows}x{_cols} k={_k}{' ties' if _ties else ''}",
        make_inputs=_prefill_inputs(_rows, _cols, _k, _ties), compare=compare_equal,
        outputs=_prefill_outputs))

for _batch, _next_n, _cols, _k in [(3, 2, 257, 17), (2, 4, 100, 9)]:
    register_check(CheckCase(
        op="top_k_per_row_decode", label=f"{_batch}x{_next_n}x{_cols} k={_k}",
        make_inputs=_decode_inputs(_batch, _next_n, _cols, _k), compare=compare_equal,
        outputs=_decode_outputs))
