"""``opdispatch check`` cases of the indexer family: every usable provider against torch_ref."""

from __future__ import annotations

import torch

from opdispatch.backends.torch_ref.indexer import split_kv_cache
from opdispatch.dispatch.checks import CheckCase, CheckResult, compare_close, compare_equal, register_check

# fp8 tensor cores keep ~14 mantissa bits while accumulating (Hopper); 2^-8 of the largest
# logit of the case is far above that and far below any real bug (a dropped head or token).
LOGITS_REL = 2.0 ** -8


def _fp8():
    from opdispatch.dispatch import current_platform

    return current_platform().fp8_dtype


def _compare_logits(out, ref):
    finite = torch.isfinite(ref)
    scale = float(ref[finite].abs().max()) if bool(finite.any()) else 1.0
    return compare_close(out, ref, atol=LOGITS_REL * scale, rtol=0.0)


def _compare_topk(out, ref):
    """Index sets per row; ties and near-ties may pick different members: allow 1% per row."""
    out_c, ref_c = out.cpu().long(), ref.cpu().long()
    worst = 0
    for r in range(ref_c.shape[0]):
        a = set(out_c[r][out_c[r] >= 0].tolist())
        b = set(ref_c[r][ref_c[r] >= 0].tolist())
        if len(a) != len(b):
            return CheckResult(float("inf"), 0.0, False, f"row {r}: {len(a)} indices, reference {len(b)}")
        worst = max(worst, len(a ^ b) // 2)
    limit = max(1, ref_c.shape[1] // 100)
    return CheckResult(float(worst), float(limit), worst <= limit, f"at most {worst} differing indices per row")


def _mqa_inputs(device, gen, S=37, N=300, heads=64, dim=128):
    q = torch.randn(S, heads, dim, generator=gen).to(_fp8()).to(device)
    k = torch.randn(N, dim, generator=gen).to(_fp8()).to(device)
    s = (torch.rand(N, generator=gen) + 0.5).to(device)
    w = torch.randn(S, heads, generator=gen).to(device)
    ks = torch.randint(0, N // 2, (S,), generator=gen, dtype=torch.int32)
    ke = (ks + torch.randint(1, N // 2, (S,), generator=gen, dtype=torch.int32)).clamp(max=N)
    return q, (k, s), w, ks.to(device), ke.to(device)


def _paged_inputs(device, gen, B=3, next_n=2, ctx=(70, 200, 5), bs=64, heads=64, dim=128):
    per_seq = [-(-c // bs) for c in ctx]
    nb = sum(per_seq) + 2
    cache = torch.zeros(nb, bs, 1, dim + 4, dtype=torch.uint8)
    values, scales = split_kv_cache(cache, dim, _fp8())
    values.view(torch.uint8).copy_(torch.randn(nb, bs, dim, generator=gen).to(_fp8()).view(torch.uint8))
    scales.copy_(torch.rand(nb, bs, generator=gen) + 0.5)
    tables = torch.zeros(B, max(per_seq), dtype=torch.int32)
    perm = torch.randperm(nb, generator=gen).to(torch.int32)
    used = 0
    for b, n in enumerate(per_seq):
        tables[b, :n] = perm[used:used + n]
        used += n
    q = torch.randn(B, next_n, heads, dim, generator=gen).to(_fp8())
    w = torch.randn(B * next_n, heads, generator=gen)
    lens = torch.tensor(ctx, dtype=torch.int32)
    L = max(ctx) + 3
    return tuple(t.to(device) for t in (q, cache, w, lens, tables)) + (L,)


register_check(CheckCase(
    op="fp8_mqa_logits", label="S=37 H=64 D=128 N=300 ragged",
    make_inputs=lambda device, gen: (_mqa_inputs(device, gen), {}),
    compare=_compare_logits,
))
register_check(CheckCase(
    op="fp8_paged_mqa_logits", label="B=3 next_n=2 H=64 D=128 bs=64",
    make_inputs=lambda device, gen: (_paged_inputs(device, gen), {}),
    compare=_compare_logits,
))


def _kq_inputs(device, gen, T=50, dim=128, bs=64):
    k = (torch.randn(T, dim, generator=gen) * 3).to(torch.bfloat16)
    cache = torch.zeros(4, bs, 1, dim + 4, dtype=torch.uint8)
    slots = torch.randperm(4 * bs, generator=gen)[:T]
    slots[::7] = -1
    return (k.to(device), cache.to(device), slots.to(device)), {"use_ue8m0": True}


register_check(CheckCase(
    op="indexer_k_quant_and_cache", label="T=50 D=128 ue8m0",
    make_inputs=_kq_inputs,
    compare=compare_equal,  # bit-exact: IEEE division and round-half-even in every provider
    outputs=lambda res, args, kwargs: args[1],
))
register_check(CheckCase(
    op="sparse_attn_indexer_prefill", label="S=37 N=300 topk=64",
    make_inputs=lambda device, gen: (_mqa_inputs(device, gen) + (64,), {}),
    compare=_compare_topk,
))
register_check(CheckCase(
    op="sparse_attn_indexer_decode", label="B=3 next_n=2 topk=32",
    make_inputs=lambda device, gen: (_paged_inputs(device, gen) + (32,), {}),
    compare=_compare_topk,
))
