"""Shared builders and independent float64 oracles for the fused-op tests."""

from __future__ import annotations

import torch


def rope_inputs(num_tokens: int, n_groups: int, heads_per_group: int, nope_dim: int,
                rope_dim: int, *, seed: int = 0, max_pos: int = 97, dtype=torch.bfloat16,
                device="cpu"):
    gen = torch.Generator().manual_seed(seed)
    heads = n_groups * heads_per_group
    o = (torch.randn(num_tokens, heads, nope_dim + rope_dim, generator=gen) * 3).to(dtype)
    positions = torch.randint(0, max_pos, (num_tokens,), generator=gen)
    angles = torch.rand(max_pos, rope_dim // 2, generator=gen) * 6.3
    cache = torch.cat((angles.cos(), angles.sin()), dim=1)
    return o.to(device), positions.to(device), cache.to(device)


def inv_rope_f64(o: torch.Tensor, positions: torch.Tensor, cache: torch.Tensor,
                 rope_dim: int) -> torch.Tensor:
    """Independent oracle: rotate each interleaved pair by -theta as a complex product
    (x0 + i x1) * conj(cos + i sin), in float64."""
    x = o.double().cpu().clone()
    half = rope_dim // 2
    c = cache.double().cpu()[positions.cpu().long()]
    rot = torch.complex(c[:, :half], -c[:, half:])[:, None, :]          # [T, 1, R/2]
    pairs = x[..., -rope_dim:].reshape(*x.shape[:-1], half, 2)
    z = torch.complex(pairs[..., 0], pairs[..., 1]) * rot
    x[..., -rope_dim:] = torch.stack((z.real, z.imag), dim=-1).flatten(-2)
    return x


def mtp_inputs(num_tokens: int, hidden: int, hc_mult: int, *, seed: int = 0,
               dtype=torch.bfloat16, weight_dtype=None, device="cpu"):
    gen = torch.Generator().manual_seed(seed)
    weight_dtype = weight_dtype or dtype
    emb = (torch.randn(num_tokens, hidden, generator=gen) * 2).to(dtype)
    positions = torch.randint(0, 4, (num_tokens,), generator=gen)
    if num_tokens:
        positions[0] = 0          # always at least one first-position token
    prev = torch.randn(num_tokens, hc_mult, hidden, generator=gen).to(dtype)
    ew = (1 + 0.5 * torch.randn(hidden, generator=gen)).to(weight_dtype)
    hw = (1 + 0.5 * torch.randn(hidden, generator=gen)).to(weight_dtype)
    return tuple(t.to(device) for t in (emb, positions, prev, ew, hw))


def rmsnorm_f64(x: torch.Tensor, w: torch.Tensor, eps: float) -> torch.Tensor:
    x = x.double().cpu()
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w.double().cpu()


def mtp_f64(emb, positions, prev, ew, hw, eps):
    e = emb.double().cpu().clone()
    e[positions.cpu() == 0] = 0.0
    return rmsnorm_f64(e, ew, eps), rmsnorm_f64(prev, hw, eps)


def assert_rounded_from(out: torch.Tensor, ref64: torch.Tensor, what: str) -> None:
    """out (low precision) is ref64 rounded, give or take one step of out's dtype: bf16/fp16
    have 8/11 significant bits, so one step is at most 2**-7 / 2**-10 relative; float32 sums in
    a different order stay far inside that. atol covers results that are ~0."""
    rel = {torch.bfloat16: 2.0**-7, torch.float16: 2.0**-10, torch.float32: 1e-5}[out.dtype]
    o = out.double().cpu()
    err = (o - ref64).abs()
    bound = 1e-5 + rel * ref64.abs()
    bad = err > bound
    assert not torch.isnan(o).any(), f"{what}: {int(torch.isnan(o).sum())} NaN (unwritten?) elements"
    assert not bad.any(), (f"{what}: {int(bad.sum())} of {o.numel()} elements off; worst "
                           f"{float(err.max()):.3g} at {tuple(int(i) for i in (err == err.max()).nonzero()[0])}")


def unpack_words(words: torch.Tensor) -> torch.Tensor:
    """int32 [..., n] -> int64 bytes [..., 4n]: byte b of word j (bits 8b..8b+7) is column 4j+b."""
    shifts = torch.tensor([0, 8, 16, 24], device=words.device)
    return ((words.long()[..., None] >> shifts) & 0xFF).flatten(-2)
