"""Reference semantics of the fused DeepSeek-V4 ops, in plain PyTorch (float32 math).

Each function has the op's *kernel signature*: inputs already validated, outputs preallocated and
passed in, written in place, returns None. They stay plain Python (not torch.library ops) so that
torch.compile can trace and fuse them; they are also the test oracle.

fused_inv_rope_fp8_quant_into
    o              bf16/fp16/fp32 [T, heads, D]   D = nope_dim + rope_dim, heads = G * heads_per_group
    positions      int32/int64    [T]
    cos_sin_cache  float32        [max_pos, rope_dim]   cos in [:, :rope_dim/2], sin in [:, rope_dim/2:]
    o_fp8          fp8            [G, T, heads_per_group * D]   (physical layout; the public op
                                                                 returns the [T, G, ...] view)
    scales         float32        [G, K, T_pad]        K = heads_per_group * D / quant_group_size
                   or int32       [G, ceil(K / 4), T_pad]  (packed ue8m0, ``tma_aligned_scales``)
                   T_pad = T rounded up to a multiple of 4; padding tokens get scale 0.

    Inverse RoPE on each head's last rope_dim values, interleaved pairs (x0, x1) = (x[2i], x[2i+1]):
        x0' = x0 * cos + x1 * sin,  x1' = x1 * cos - x0 * sin,  cos/sin = cache[pos, i] / [pos, R/2 + i]
    then per quant_group_size chunk: s = 2 ** ceil(log2(max(amax, 1e-10) / fp8_max)) (ue8m0),
    q = clamp(x / s, -fp8_max, fp8_max) cast to the fp8 dtype of ``o_fp8``.

fused_mtp_input_rmsnorm_into
    inputs_embeds           [T, H]            zeroed where positions == 0, then RMSNorm(enorm_weight)
    previous_hidden_states  [T, hc_mult, H]   each stream RMSNorm(hnorm_weight) over H
    RMSNorm(x, w) = x * rsqrt(mean(x ** 2) + eps) * w, in float32, cast to the output dtype.
"""

from __future__ import annotations

import torch

UE8M0_AMAX_FLOOR = 1e-10  # keeps an all-zero chunk's scale finite (2**-42 for fp8_max 448)
TMA_ALIGN_TOKENS = 4      # 16-byte TMA alignment of a token-contiguous float32/int32 column


def padded_tokens(num_tokens: int) -> int:
    """T rounded up to a multiple of 4: the token extent of the scale tensor."""
    return (num_tokens + TMA_ALIGN_TOKENS - 1) // TMA_ALIGN_TOKENS * TMA_ALIGN_TOKENS


def ue8m0_exponent(amax: torch.Tensor, fp8_max: float) -> torch.Tensor:
    """Biased exponent (int32, the ue8m0 byte) of s = 2 ** ceil(log2(max(amax, 1e-10) / fp8_max)).

    Computed from the float32 bits so that it is exact (a float log2 rounds values just above a
    power of two down onto it): for y = 2**(e - 127) * (1 + m / 2**23), ceil(log2 y) = e - 127 +
    (m != 0). y is a normal float32 (y >= 1e-10 / 448) unless amax is NaN or inf (a NaN or inf
    input): then the byte is 255, e8m0's NaN encoding (e8m0 has no inf), not the 256 that the
    carry would give (which spilled into the next byte of a packed word).
    """
    y = amax.float().clamp_min(UE8M0_AMAX_FLOOR) / fp8_max    # clamp_min keeps NaN
    bits = y.view(torch.int32)
    biased_exp = (bits >> 23) & 0xFF
    has_mantissa = (bits & 0x7FFFFF) != 0
    return torch.where(biased_exp == 0xFF, 0xFF, biased_exp + has_mantissa.to(torch.int32))


def ue8m0_to_float(biased_exp: torch.Tensor) -> torch.Tensor:
    """2 ** (biased_exp - 127) as float32 (exact: the bits are built directly)."""
    return (biased_exp.to(torch.int32) << 23).view(torch.float32)


def pack_ue8m0(biased_exp: torch.Tensor) -> torch.Tensor:
    """Pack ue8m0 bytes [..., K] into int32 words [..., ceil(K / 4)]: byte b of word j (bits
    8b..8b+7) holds column 4j + b; missing columns of the last word are 0."""
    k = biased_exp.shape[-1]
    words = (k + 3) // 4
    padded = torch.zeros(*biased_exp.shape[:-1], words * 4, dtype=torch.int64,
                         device=biased_exp.device)
    padded[..., :k] = biased_exp.to(torch.int64)
    quads = padded.view(*biased_exp.shape[:-1], words, 4)
    shifts = torch.tensor([0, 8, 16, 24], dtype=torch.int64, device=biased_exp.device)
    value = (quads << shifts).sum(-1)                        # 0 .. 2**32 - 1
    value = torch.where(value >= 2**31, value - 2**32, value)  # two's complement int32
    return value.to(torch.int32)


def inv_rope_interleaved(x: torch.Tensor, positions: torch.Tensor, cos_sin_cache: torch.Tensor,
                         rope_dim: int) -> torch.Tensor:
    """Inverse RoPE (float32) on the last rope_dim values of x [T, heads, D]; returns a new tensor."""
    half = rope_dim // 2
    d = x.shape[-1]
    rows = cos_sin_cache.float()[positions.long()]           # [T, rope_dim]
    cos = rows[:, None, :half]
    sin = rows[:, None, half:]
    x0 = x[..., d - rope_dim::2]
    x1 = x[..., d - rope_dim + 1::2]
    y0 = x0 * cos + x1 * sin
    y1 = x1 * cos - x0 * sin
    rope = torch.stack((y0, y1), dim=-1).flatten(-2)         # re-interleave the pairs
    return torch.cat((x[..., : d - rope_dim], rope), dim=-1)


def fused_inv_rope_fp8_quant_into(o: torch.Tensor, positions: torch.Tensor,
                                  cos_sin_cache: torch.Tensor, o_fp8: torch.Tensor,
                                  scales: torch.Tensor, n_groups: int, heads_per_group: int,
                                  nope_dim: int, rope_dim: int, quant_group_size: int,
                                  fp8_max: float, tma_aligned_scales: bool) -> None:
    num_tokens, _, head_dim = o.shape
    width = heads_per_group * head_dim                        # values per (token, group)
    chunks = width // quant_group_size
    x = inv_rope_interleaved(o.float(), positions, cos_sin_cache, rope_dim)
    x = x.reshape(num_tokens, n_groups, chunks, quant_group_size)
    amax = x.abs().amax(dim=-1)                               # NaN if the chunk holds one
    biased_exp = ue8m0_exponent(amax, fp8_max)                # [T, G, K]
    # Byte 255 reads as inf; a NaN chunk's float scale is NaN. Codes: a NaN chunk is all NaN, an
    # inf chunk is 0 with NaN at the inf (x / inf), as PyTorch divides; never a finite-looking code.
    scale = torch.where(amax.isnan(), float("nan"), ue8m0_to_float(biased_exp))
    q = (x / scale[..., None]).clamp(-fp8_max, fp8_max).to(o_fp8.dtype)
    o_fp8.copy_(q.reshape(num_tokens, n_groups, width).transpose(0, 1))

    # Scales: token-contiguous; tokens T..T_pad-1 are padding with scale 0 (ue8m0 byte 0).
    if tma_aligned_scales:
        values = pack_ue8m0(biased_exp)                      # [T, G, ceil(K/4)] int32
    else:
        values = scale                                       # [T, G, K] float32
    scales.zero_()
    scales[:, :, :num_tokens].copy_(values.permute(1, 2, 0))


def rms_norm_fp32(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    """x * rsqrt(mean(x ** 2, -1) + eps) * weight, all in float32."""
    x = x.float()
    inv_rms = torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)
    return x * inv_rms * weight.float()


def fused_mtp_input_rmsnorm_into(inputs_embeds: torch.Tensor, positions: torch.Tensor,
                                 previous_hidden_states: torch.Tensor,
                                 enorm_weight: torch.Tensor, hnorm_weight: torch.Tensor,
                                 enorm_out: torch.Tensor, hnorm_out: torch.Tensor,
                                 eps: float, hc_mult: int) -> None:
    # A token at position 0 has no previous token: its embedding input is zero (where, not a
    # multiply, so a non-finite embedding there cannot leak through as NaN).
    first = (positions == 0)[:, None]
    embeds = torch.where(first, torch.zeros((), dtype=torch.float32, device=first.device),
                         inputs_embeds.float())
    enorm_out.copy_(rms_norm_fp32(embeds, enorm_weight, eps))
    hnorm_out.copy_(rms_norm_fp32(previous_hidden_states, hnorm_weight, eps))
