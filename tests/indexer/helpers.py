"""Input builders, float64 references and tolerances shared by the indexer tests."""

from __future__ import annotations

import torch

from opdispatch.backends.torch_ref.indexer import split_kv_cache

U32 = 2.0 ** -24  # float32 unit roundoff


def fp8_randn(shape, dtype, gen, device, scale=1.0):
    """Random fp8 values spread over the format's range (not just around 1)."""
    x = torch.randn(shape, generator=gen) * scale
    return x.to(dtype).to(device)


def make_mqa_inputs(S, H, D, N, dtype, *, seed=0, device="cpu", bounds="ragged"):
    gen = torch.Generator().manual_seed(seed)
    q = fp8_randn((S, H, D), dtype, gen, device, 2.0)
    k = fp8_randn((N, D), dtype, gen, device, 2.0)
    k_scale = (torch.rand(N, generator=gen) + 0.25).to(device)
    weights = torch.randn(S, H, generator=gen).to(device)
    ks, ke = make_bounds(S, N, gen, bounds)
    return q, k, k_scale, weights, ks.to(device), ke.to(device)


def make_bounds(S, N, gen, kind):
    """int32 [S] row windows: 'full', 'causal' (ke = N - S + i + 1), 'ragged' (random, some empty)."""
    i = torch.arange(S)
    if kind == "full":
        ks, ke = torch.zeros(S, dtype=torch.long), torch.full((S,), N)
    elif kind == "causal":
        ks, ke = torch.zeros(S, dtype=torch.long), (N - S + i + 1).clamp(0, N)
    else:
        ks = torch.randint(0, N + 1, (S,), generator=gen)
        ke = (ks + torch.randint(0, N + 1, (S,), generator=gen)).clamp(max=N)
        if S > 2:
            ke[1] = ks[1]  # an empty window
            ks[2], ke[2] = 0, N  # a full one
    return ks.to(torch.int32), ke.to(torch.int32)


def mqa_reference64(q, k, k_scale, weights, ks, ke):
    """(float64 logits with -inf outside [ks, ke), float64 magnitude bound sum_h |w| (|q|.|k|) |s|)."""
    q64, k64 = q.double().cpu(), k.double().cpu()
    w64, s64 = weights.double().cpu(), k_scale.double().cpu()
    scores = torch.einsum("shd,nd->shn", q64, k64)
    logits = (scores.clamp_min(0) * w64.unsqueeze(-1)).sum(1) * s64
    mag = (torch.einsum("shd,nd->shn", q64.abs(), k64.abs()) * w64.abs().unsqueeze(-1)).sum(1) * s64.abs()
    cols = torch.arange(k.shape[0])
    outside = (cols < ks.cpu().long().unsqueeze(1)) | (cols >= ke.cpu().long().unsqueeze(1))
    return logits.masked_fill(outside, float("-inf")), mag


def fp32_rtol(D, H):
    """Worst-case relative error (against the magnitude bound) of a float32 evaluation: D-term
    dot products, an H-term head sum, a weight and a scale multiply, each term rounding once."""
    return (D + H + 3) * U32


def assert_logits_close(out, ref, mag, rtol, *, only_finite_ref=False, what="logits"):
    """|out - ref| <= rtol * mag elementwise where ref is finite; -inf exactly where ref is -inf."""
    out = out.double().cpu()
    finite = torch.isfinite(ref)
    assert not torch.isnan(out[finite]).any(), f"{what}: {int(torch.isnan(out[finite]).sum())} NaN inside windows"
    if not only_finite_ref:
        neg = ~finite
        bad = neg & ~(torch.isinf(out) & (out < 0))
        assert not bad.any(), f"{what}: {int(bad.sum())} positions outside windows are not -inf, first at {bad.nonzero()[0].tolist()}"
    err = (out - ref).abs()[finite]
    bound = (rtol * mag)[finite] + 1e-30
    if err.numel():
        worst = int(torch.argmax(err / bound))
        idx = finite.nonzero()[worst].tolist()
        assert bool((err <= bound).all()), (f"{what}: {int((err > bound).sum())} of {err.numel()} off; worst at "
                                            f"{idx}: got {float(out[tuple(idx)])}, want {float(ref[tuple(idx)])}, "
                                            f"bound {float(bound[worst])}")


def make_paged_inputs(B, next_n, H, D, block_size, context_lens, dtype, *, seed=0, device="cpu",
                      extra_blocks=2, max_model_len=None, block_stride_pad=0):
    """A paged cache with a shuffled block table; table entries past each context are garbage."""
    gen = torch.Generator().manual_seed(seed)
    ctx = torch.tensor(context_lens, dtype=torch.int32)
    blocks_per_seq = [-(-int(c) // block_size) for c in context_lens]
    max_blocks = max(blocks_per_seq + [1]) + extra_blocks
    num_blocks = sum(blocks_per_seq) + 3
    width = D + 4
    row = block_size * width + block_stride_pad
    storage = torch.randint(0, 256, (num_blocks * row,), dtype=torch.uint8, generator=gen)
    kv_cache = storage.as_strided((num_blocks, block_size, 1, width), (row, width, width, 1))
    values, scales = split_kv_cache(kv_cache, D, dtype)
    values.view(torch.uint8).copy_(torch.randn(num_blocks, block_size, D, generator=gen).mul(2).to(dtype).view(torch.uint8))
    scales.copy_(torch.rand(num_blocks, block_size, generator=gen) + 0.25)
    perm = torch.randperm(num_blocks, generator=gen)
    tables = torch.full((B, max_blocks), 10 ** 6, dtype=torch.int32)  # garbage: must never be read
    used = 0
    for b, nbk in enumerate(blocks_per_seq):
        tables[b, :nbk] = perm[used:used + nbk].to(torch.int32)
        used += nbk
    q = fp8_randn((B, next_n, H, D), dtype, gen, "cpu", 2.0)
    weights = torch.randn(B * next_n, H, generator=gen)
    if max_model_len is None:
        max_model_len = max(int(c) for c in context_lens) + 5 if context_lens else 8
    # Move the storage, not the view: the padded block stride must survive.
    kv_cache = storage.to(device).as_strided((num_blocks, block_size, 1, width), (row, width, width, 1))
    return (q.to(device), kv_cache, weights.to(device), ctx.to(device), tables.to(device), max_model_len)


def paged_reference64(q, kv_cache, weights, context_lens, block_tables, max_model_len):
    """(float64 logits [B*next_n, L] with -inf where invisible, magnitude bound), by plain loops."""
    B, next_n, H, D = q.shape
    values, scales = split_kv_cache(kv_cache.cpu(), D, q.dtype)
    bs = values.shape[1]
    out = torch.full((B * next_n, max_model_len), float("-inf"), dtype=torch.float64)
    mag = torch.zeros((B * next_n, max_model_len), dtype=torch.float64)
    for b in range(B):
        ctx = int(context_lens[b])
        n = min(ctx, max_model_len)
        if n <= 0:
            continue
        j = torch.arange(n)
        blk = block_tables[b].cpu().long()[j // bs]
        k64 = values[blk, j % bs].double()
        s64 = scales[blk, j % bs].double()
        for t in range(next_n):
            r = b * next_n + t
            q64 = q[b, t].double().cpu()
            w64 = weights[r].double().cpu()
            sc = q64 @ k64.T  # [H, n]
            logit = (sc.clamp_min(0) * w64[:, None]).sum(0) * s64
            m = ((q64.abs() @ k64.abs().T) * w64.abs()[:, None]).sum(0) * s64
            vis = ctx - next_n + t + 1
            logit = torch.where(j < vis, logit, float("-inf"))
            out[r, :n] = logit
            mag[r, :n] = m
    return out, mag


def assert_topk_valid(idx, ref_logits, starts, k, tol, what="top-k"):
    """Indices as sets, ties resolved by value: each row picks min(k, #finite) distinct finite
    positions (offset by starts), pads with -1, and no unpicked finite logit beats the smallest
    picked one by more than ``tol`` (the logits' error bound for that row)."""
    idx = idx.cpu().long()
    ref = ref_logits.cpu().double()
    starts = starts.cpu().long()
    for r in range(ref.shape[0]):
        finite = torch.isfinite(ref[r])
        want = min(k, int(finite.sum()))
        row = idx[r]
        picked = row[row >= 0] + starts[r]
        assert picked.numel() == want, f"{what} row {r}: {picked.numel()} indices, want {want}"
        assert bool((row[want:] == -1).all()), f"{what} row {r}: padding is not -1"
        assert picked.unique().numel() == want, f"{what} row {r}: repeated indices"
        if want == 0:
            continue
        assert bool(finite[picked].all()), f"{what} row {r}: picked a position outside the window"
        chosen = torch.zeros_like(finite)
        chosen[picked] = True
        rest = finite & ~chosen
        if rest.any():
            tol_r = float(tol[r]) if torch.is_tensor(tol) else tol
            assert float(ref[r][picked].min()) >= float(ref[r][rest].max()) - tol_r, (
                f"{what} row {r}: an unpicked logit beats a picked one")
