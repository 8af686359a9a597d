"""Shared checks of the top-k tests: compare as sets, ties resolved by value."""

from __future__ import annotations

import math

import torch

from opdispatch.backends.torch_ref import topk as ref


def _sortable(v: torch.Tensor) -> torch.Tensor:
    # NaN ranks above +inf (the op's contract); map it to +inf so that multisets compare.
    return torch.where(torch.isnan(v), float("inf"), v.to(torch.float64)).sort().values


def assert_topk_matches(logits: torch.Tensor, starts: torch.Tensor, ends: torch.Tensor, k: int,
                        out: torch.Tensor, *, sorted_: bool = False) -> None:
    """``out`` (any provider) against torch_ref: rows with n <= k exactly; other rows: k distinct
    in-range indices whose values equal the reference's as multisets (exact: selection moves
    values, it computes nothing); with ``sorted_`` the values must be non-increasing."""
    logits, starts, ends, out = logits.cpu(), starts.cpu(), ends.cpu(), out.cpu()
    expected = ref.top_k_per_row_prefill(logits, starts, ends, k)
    cols = logits.shape[1]
    s = starts.to(torch.int64).clamp(min=0)
    n = ends.to(torch.int64).clamp(max=cols) - s
    small = n <= k
    if small.any():
        bad = (out[small] != expected[small]).any(dim=1)
        assert not bad.any(), (f"rows with n <= k differ: rows {small.nonzero()[bad].flatten()[:8].tolist()}; "
                               f"first got {out[small][bad][0][:16].tolist()}")
    for r in (~small).nonzero().flatten().tolist():
        got = out[r].to(torch.int64)
        assert bool(((got >= 0) & (got < n[r])).all()), f"row {r}: index out of [0, {int(n[r])}): {got.tolist()[:16]}"
        assert got.unique().numel() == k, f"row {r}: {k - got.unique().numel()} duplicate indices"
        v_got = logits[r, s[r] + got]
        v_exp = logits[r, s[r] + expected[r].to(torch.int64)]
        diff = (_sortable(v_got) != _sortable(v_exp)).sum()
        assert diff == 0, f"row {r} (n={int(n[r])}, k={k}): {int(diff)} of {k} selected values differ"
        if sorted_:
            vv = torch.where(torch.isnan(v_got), float("inf"), v_got.to(torch.float64))
            assert bool((vv[:-1] >= vv[1:]).all()), f"row {r}: sorted=True but values not descending"


def decode_bounds(seq_lens: torch.Tensor, next_n: int, rows: int) -> tuple[torch.Tensor, torch.Tensor]:
    ends = ref.decode_row_ends(seq_lens.cpu(), next_n, rows).to(torch.int32)
    return torch.zeros_like(ends), ends


def make_logits(kind: str, rows: int, cols: int, gen: torch.Generator, device="cpu") -> torch.Tensor:
    """Logits of one of the test families (never all zeros)."""
    if kind == "randn":
        x = torch.randn(rows, cols, generator=gen)
    elif kind == "ties":       # few distinct values: selection must resolve large tie groups
        x = torch.randint(-3, 4, (rows, cols), generator=gen).float()
    elif kind == "special":    # -inf (valid candidates), +inf and NaN
        x = torch.randn(rows, cols, generator=gen)
        u = torch.rand(rows, cols, generator=gen)
        x[u < 0.3] = float("-inf")
        x[(u >= 0.3) & (u < 0.33)] = float("inf")
        x[(u >= 0.33) & (u < 0.36)] = float("nan")
    elif kind == "narrow":     # all in one coarse (float16) bin: the candidate overflow path
        x = 5.0 + 1e-3 * torch.randn(rows, cols, generator=gen)
    elif kind == "wide":       # magnitudes over the float16 range and below it
        x = torch.randn(rows, cols, generator=gen) * torch.exp2(torch.randint(-40, 40, (rows, cols), generator=gen).float())
    else:
        raise ValueError(kind)
    return x.to(device)


def assert_topk_matches_fast(logits: torch.Tensor, starts: torch.Tensor, ends: torch.Tensor,
                             k: int, out: torch.Tensor) -> None:
    """Vectorised form of :func:`assert_topk_matches` (on the tensors' device), for big shapes."""
    expected = ref.top_k_per_row_prefill(logits, starts, ends, k)
    cols = logits.shape[1]
    s = starts.to(torch.int64).clamp(min=0).view(-1, 1)
    n = ends.to(torch.int64).clamp(max=cols).view(-1, 1) - s
    small = (n <= k).flatten()
    bad_small = (out[small] != expected[small]).any(dim=1)
    assert not bool(bad_small.any()), f"{int(bad_small.sum())} rows with n <= k differ"
    big = ~small
    if not bool(big.any()):
        return
    got = out[big].to(torch.int64)
    nb, sb = n[big], s[big]
    in_range = ((got >= 0) & (got < nb)).all(dim=1)
    assert bool(in_range.all()), f"{int((~in_range).sum())} rows have out-of-range indices"
    srt = got.sort(dim=1).values
    dup = (srt[:, 1:] == srt[:, :-1]).any(dim=1)
    assert not bool(dup.any()), f"{int(dup.sum())} rows have duplicate indices"
    lb = logits[big]

    def values(idx):
        v = lb.gather(1, (idx + sb).clamp(0, max(cols - 1, 0))).to(torch.float64)
        return torch.where(torch.isnan(v), float("inf"), v).sort(dim=1).values

    differ = (values(got) != values(expected[big].to(torch.int64))).sum(dim=1)
    assert not bool(differ.any()), (f"{int((differ > 0).sum())} rows select different values; "
                                    f"worst row differs in {int(differ.max())} of {k}")


def order_key16(x: torch.Tensor) -> torch.Tensor:
    """Top 16 bits of the kernels' order key (float order as unsigned order; NaN on top)."""
    b = x.view(torch.int32).to(torch.int64) & 0xFFFFFFFF
    key = torch.where(b >= 2**31, b ^ 0xFFFFFFFF, b | 2**31)
    return torch.where(x.isnan(), torch.full_like(key, 0xFFFFFFFF), key) >> 16


def sample_threshold_ref(x: torch.Tensor, k: int, sample: int, group: int = 1,
                         sigma: int = 4) -> torch.Tensor:
    """What _sample_threshold computes for full rows of ``x`` [rows, n]: T16, the top 16 bits
    of the r-th largest sampled key, r = ceil(e + sigma sqrt(e) + 2) (at most ``sample``),
    e = sample k / n; the sample is ``sample`` single columns spread evenly (group 1) or
    sample / group runs of ``group`` adjacent columns starting at multiples of ``group``."""
    n = x.shape[1]
    i = torch.arange(sample, device=x.device)
    if group == 1:
        pos = i * n // sample
    else:
        g0 = (i // group) * n // (sample // group)
        pos = ((g0 // group) * group + i % group).clamp(max=n - 1)
    e = sample / n * k
    r = min(math.ceil(e + sigma * math.sqrt(e) + 2.0), sample)
    return order_key16(x[:, pos]).sort(dim=1, descending=True).values[:, r - 1]
