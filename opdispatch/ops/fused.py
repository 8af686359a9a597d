"""Fused DeepSeek-V4 serving ops: inverse RoPE + fp8 quant of the attention output, and the MTP
input RMSNorm. Also re-exports the CUDA-graph helpers :class:`GraphBuffers` and :func:`warmup`.

Providers: torch_ref (plain PyTorch, the semantics) and triton (one launch per op).
"""

from __future__ import annotations

import torch

from opdispatch.backends.torch_ref import fused as ref
from opdispatch.dispatch import CustomOp, current_platform, fp8_max_of, kernel_op, register_impl
from opdispatch.dispatch.alloc import empty
from opdispatch.dispatch.registry import fp8_note
from opdispatch.dispatch.validate import check_bool, check_positive_int, check_same_device, check_tensor
from opdispatch.graph import GraphBuffers
from opdispatch.warmup import register_warmup, warmup

_FLOAT_ACTS = (torch.bfloat16, torch.float16, torch.float32)
_POSITION_DTYPES = (torch.int64, torch.int32)


def _check_int(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _check_buffer(name: str, out: object, shape: tuple[int, ...], dtype: torch.dtype,
                  device: torch.device, *, unit_stride_dim: int) -> torch.Tensor:
    """A caller's output buffer: exact shape, dtype, device, unit stride along one dimension."""
    t = check_tensor(name, out, dtypes=(dtype,), shape=shape)
    if t.device != device:
        raise ValueError(f"{name} is on {t.device}, expected {device}")
    if t.shape[unit_stride_dim] > 1 and t.stride(unit_stride_dim) != 1:
        raise ValueError(f"{name} must have stride 1 along dimension {unit_stride_dim}, "
                         f"got strides {t.stride()}")
    return t


# ---------------------------------------------------------------------------------------------
# fused_inv_rope_fp8_quant
# ---------------------------------------------------------------------------------------------

class FusedInvRopeFP8Quant(CustomOp):
    """Inverse RoPE on each head's rope part, then per-chunk ue8m0 fp8 quantisation, for the
    grouped output projection of DeepSeek-V4 attention.

    Args:
        o: ``[T, heads, nope_dim + rope_dim]`` bf16 (fp16/fp32 accepted), heads =
            n_groups * heads_per_group, unit stride along the last dimension.
        positions: ``[T]`` int64 (or int32), each in ``[0, max_pos)`` (not checked: device data).
        cos_sin_cache: ``[max_pos, rope_dim]`` float32; cos in the first half, sin in the second.
        n_groups, heads_per_group: the head grouping of the output projection.
        nope_dim, rope_dim: per-head split (448 + 64); rope_dim even, at most quant_group_size.
        quant_group_size: values per scale (128), a power of two dividing the head dim, so the
            rope part lies inside each head's last quant group.
        tma_aligned_scales: return int32 scales with four ue8m0 exponent bytes per word.
        out: optional ``[n_groups, T, heads_per_group * D]`` fp8 buffer (the physical layout).
        out_scales: optional ``[n_groups, K, T_pad]`` float32 or ``[n_groups, ceil(K/4), T_pad]``
            int32 buffer with unit token stride; K = heads_per_group * D / quant_group_size,
            T_pad = T rounded up to a multiple of 4.

    Formula (float32): interleaved pairs ``(x0, x1) = (o[..., nope + 2i], o[..., nope + 2i + 1])``,
    ``cos = cache[pos, i]``, ``sin = cache[pos, rope_dim/2 + i]``:
    ``x0' = x0*cos + x1*sin``, ``x1' = x1*cos - x0*sin``. For each quant_group_size chunk of a
    group's ``heads_per_group * D`` values: ``s = 2 ** ceil(log2(max(amax, 1e-10) / fp8_max))``,
    ``q = clamp(x / s, -fp8_max, fp8_max)`` in the platform's fp8 dtype (e4m3fn, 448 on CUDA;
    e4m3fnuz, 224 on gfx942).

    Returns:
        ``(o_fp8, scales)``: o_fp8 logically ``[T, n_groups, heads_per_group * D]``, physically
        ``[n_groups, T, ...]`` contiguous (strides ``(W, T*W, 1)``); scales logically
        ``[T, n_groups, K]`` float32 (or ``[T, n_groups, ceil(K/4)]`` int32 when
        tma_aligned_scales), token-contiguous with T padded to a multiple of 4 (padding scale 0).

    Example:
        >>> o = torch.randn(5, 64, 512, dtype=torch.bfloat16, device="cuda")
        >>> q, s = opdispatch.fused_inv_rope_fp8_quant(o, positions, cache, 8, 8)
        >>> q.shape, s.shape        # ([5, 8, 4096], [5, 8, 32])
    """

    name = "fused_inv_rope_fp8_quant"

    def __call__(self, o: torch.Tensor, positions: torch.Tensor, cos_sin_cache: torch.Tensor,
                 n_groups: int, heads_per_group: int, *, nope_dim: int = 448, rope_dim: int = 64,
                 quant_group_size: int = 128, tma_aligned_scales: bool = False,
                 out: torch.Tensor | None = None, out_scales: torch.Tensor | None = None,
                 ) -> tuple[torch.Tensor, torch.Tensor]:
        check_tensor("o", o, dtypes=_FLOAT_ACTS, ndim=3, last_dim_contiguous=True)
        num_tokens, num_heads, head_dim = o.shape
        check_tensor("positions", positions, dtypes=_POSITION_DTYPES, shape=(num_tokens,))
        check_tensor("cos_sin_cache", cos_sin_cache, dtypes=(torch.float32,), ndim=2,
                     last_dim_contiguous=True)
        device = check_same_device(o=o, positions=positions, cos_sin_cache=cos_sin_cache)
        check_positive_int("n_groups", n_groups)
        check_positive_int("heads_per_group", heads_per_group)
        _check_int("nope_dim", nope_dim, minimum=0)
        check_positive_int("rope_dim", rope_dim)
        check_positive_int("quant_group_size", quant_group_size)
        check_bool("tma_aligned_scales", tma_aligned_scales)
        if num_heads != n_groups * heads_per_group:
            raise ValueError(f"o has {num_heads} heads; expected n_groups * heads_per_group = "
                             f"{n_groups} * {heads_per_group} = {n_groups * heads_per_group}")
        if head_dim != nope_dim + rope_dim:
            raise ValueError(f"o's last dimension is {head_dim}; expected nope_dim + rope_dim = "
                             f"{nope_dim} + {rope_dim} = {nope_dim + rope_dim}")
        if rope_dim % 2:
            raise ValueError(f"rope_dim must be even (interleaved pairs), got {rope_dim}")
        if cos_sin_cache.shape[1] != rope_dim:
            raise ValueError(f"cos_sin_cache must have shape [max_pos, rope_dim={rope_dim}], "
                             f"got {list(cos_sin_cache.shape)}")
        if quant_group_size & (quant_group_size - 1) or quant_group_size < 2:
            raise ValueError(f"quant_group_size must be a power of two >= 2, got {quant_group_size}")
        if head_dim % quant_group_size or rope_dim > quant_group_size:
            raise ValueError(
                f"the rope part must fall inside the last quant group of each head: need "
                f"head dim {head_dim} % quant_group_size {quant_group_size} == 0 and rope_dim "
                f"{rope_dim} <= quant_group_size")

        fp8_dtype = current_platform().fp8_dtype
        width = heads_per_group * head_dim
        cols = width // quant_group_size
        t_pad = ref.padded_tokens(num_tokens)
        q_shape = (n_groups, num_tokens, width)
        if tma_aligned_scales:
            s_shape, s_dtype = (n_groups, (cols + 3) // 4, t_pad), torch.int32
        else:
            s_shape, s_dtype = (n_groups, cols, t_pad), torch.float32
        if out is None:  # explicit strides: torch.empty gives other ones when T == 0
            out = empty(q_shape, fp8_dtype, device, stride=(num_tokens * width, width, 1))
        else:
            _check_buffer("out", out, q_shape, fp8_dtype, device, unit_stride_dim=2)
        if out_scales is None:
            out_scales = empty(s_shape, s_dtype, device, stride=(s_shape[1] * t_pad, t_pad, 1))
        else:
            _check_buffer("out_scales", out_scales, s_shape, s_dtype, device, unit_stride_dim=2)

        self.forward(o, positions, cos_sin_cache, out, out_scales, n_groups, heads_per_group,
                     nope_dim, rope_dim, quant_group_size, fp8_max_of(fp8_dtype),
                     tma_aligned_scales)
        # Logical views: [T, G, W] over [G, T, W]; [T, G, K] over [G, K, T_pad] (padding hidden).
        return out.transpose(0, 1), out_scales[:, :, :num_tokens].permute(2, 0, 1)


def _rope_quant_triton(o: torch.Tensor, positions: torch.Tensor, cos_sin_cache: torch.Tensor,
                       o_fp8: torch.Tensor, scales: torch.Tensor, n_groups: int,
                       heads_per_group: int, nope_dim: int, rope_dim: int,
                       quant_group_size: int, fp8_max: float, tma_aligned_scales: bool) -> None:
    from opdispatch.backends.triton.fused import fused_inv_rope_fp8_quant as launch  # lazy

    launch(o, positions, cos_sin_cache, o_fp8, scales, n_groups, heads_per_group, nope_dim,
           rope_dim, quant_group_size, fp8_max, tma_aligned_scales)


register_impl(FusedInvRopeFP8Quant.name, "torch_ref", ref.fused_inv_rope_fp8_quant_into)
register_impl(FusedInvRopeFP8Quant.name, "triton",
              kernel_op("fused_inv_rope_fp8_quant_triton", _rope_quant_triton,
                        mutates_args=("o_fp8", "scales")),
              kernels=lambda p: f"one Triton kernel (_inv_rope_fp8_quant_kernel), {fp8_note(p)}")


def fused_inv_rope_fp8_quant(o: torch.Tensor, positions: torch.Tensor,
                             cos_sin_cache: torch.Tensor, n_groups: int, heads_per_group: int,
                             **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """Inverse RoPE + ue8m0 fp8 quant; see :class:`FusedInvRopeFP8Quant`."""
    return FusedInvRopeFP8Quant.default()(o, positions, cos_sin_cache, n_groups,
                                          heads_per_group, **kwargs)


# ---------------------------------------------------------------------------------------------
# fused_mtp_input_rmsnorm
# ---------------------------------------------------------------------------------------------

class FusedMTPInputRMSNorm(CustomOp):
    """The two RMSNorms at the input of a DeepSeek-V4 MTP layer, in one launch.

    Args:
        inputs_embeds: ``[T, H]`` bf16/fp16/fp32, unit stride along H.
        positions: ``[T]`` int64 (or int32); rows with position 0 have their embedding zeroed.
        previous_hidden_states: ``[T, hc_mult, H]``, same dtype, unit stride along H.
        enorm_weight, hnorm_weight: ``[H]``, the input dtype or float32 (both the same).
        eps: the RMSNorm epsilon (float >= 0).
        hc_mult: number of hidden streams (== previous_hidden_states.shape[1]).
        out_enorm, out_hnorm: optional output buffers (``[T, H]``, ``[T, hc_mult, H]``, input
            dtype, unit stride along H).

    Formula (float32): ``e = where(pos == 0, 0, inputs_embeds)``;
    ``enorm_out = e * rsqrt(mean(e**2) + eps) * enorm_weight``;
    ``hnorm_out[:, j] = h_j * rsqrt(mean(h_j**2) + eps) * hnorm_weight`` for each stream h_j.

    Returns:
        ``(enorm_out [T, H], hnorm_out [T, hc_mult, H])`` in the input dtype.

    Example:
        >>> e, h = opdispatch.fused_mtp_input_rmsnorm(emb, pos, prev, ew, hw, 1e-6, 4)
    """

    name = "fused_mtp_input_rmsnorm"

    def __call__(self, inputs_embeds: torch.Tensor, positions: torch.Tensor,
                 previous_hidden_states: torch.Tensor, enorm_weight: torch.Tensor,
                 hnorm_weight: torch.Tensor, eps: float, hc_mult: int, *,
                 out_enorm: torch.Tensor | None = None, out_hnorm: torch.Tensor | None = None,
                 ) -> tuple[torch.Tensor, torch.Tensor]:
        check_tensor("inputs_embeds", inputs_embeds, dtypes=_FLOAT_ACTS, ndim=2,
                     last_dim_contiguous=True)
        num_tokens, hidden = inputs_embeds.shape
        dtype = inputs_embeds.dtype
        check_tensor("positions", positions, dtypes=_POSITION_DTYPES, shape=(num_tokens,))
        check_positive_int("hc_mult", hc_mult)
        check_tensor("previous_hidden_states", previous_hidden_states, dtypes=(dtype,),
                     shape=(num_tokens, hc_mult, hidden), last_dim_contiguous=True)
        weight_dtypes = (dtype, torch.float32)
        check_tensor("enorm_weight", enorm_weight, dtypes=weight_dtypes, shape=(hidden,),
                     contiguous=True)
        check_tensor("hnorm_weight", hnorm_weight, dtypes=(enorm_weight.dtype,), shape=(hidden,),
                     contiguous=True)
        if isinstance(eps, bool) or not isinstance(eps, (int, float)):
            raise TypeError(f"eps must be a float, got {type(eps).__name__}")
        if not eps >= 0.0:
            raise ValueError(f"eps must be >= 0, got {eps}")
        device = check_same_device(inputs_embeds=inputs_embeds, positions=positions,
                                   previous_hidden_states=previous_hidden_states,
                                   enorm_weight=enorm_weight, hnorm_weight=hnorm_weight)
        if hidden == 0:
            raise ValueError("inputs_embeds must have a non-empty hidden dimension")
        if out_enorm is None:
            out_enorm = empty((num_tokens, hidden), dtype, device)
        else:
            _check_buffer("out_enorm", out_enorm, (num_tokens, hidden), dtype, device,
                          unit_stride_dim=1)
        if out_hnorm is None:
            out_hnorm = empty((num_tokens, hc_mult, hidden), dtype, device)
        else:
            _check_buffer("out_hnorm", out_hnorm, (num_tokens, hc_mult, hidden), dtype, device,
                          unit_stride_dim=2)
        self.forward(inputs_embeds, positions, previous_hidden_states, enorm_weight,
                     hnorm_weight, out_enorm, out_hnorm, float(eps), hc_mult)
        return out_enorm, out_hnorm


def _mtp_rmsnorm_triton(inputs_embeds: torch.Tensor, positions: torch.Tensor,
                        previous_hidden_states: torch.Tensor, enorm_weight: torch.Tensor,
                        hnorm_weight: torch.Tensor, enorm_out: torch.Tensor,
                        hnorm_out: torch.Tensor, eps: float, hc_mult: int) -> None:
    from opdispatch.backends.triton.fused import fused_mtp_input_rmsnorm as launch  # lazy

    launch(inputs_embeds, positions, previous_hidden_states, enorm_weight, hnorm_weight,
           enorm_out, hnorm_out, eps, hc_mult)


register_impl(FusedMTPInputRMSNorm.name, "torch_ref", ref.fused_mtp_input_rmsnorm_into)
register_impl(FusedMTPInputRMSNorm.name, "triton",
              kernel_op("fused_mtp_input_rmsnorm_triton", _mtp_rmsnorm_triton,
                        mutates_args=("enorm_out", "hnorm_out")),
              kernels="one Triton kernel (_mtp_input_rmsnorm_kernel)")


def fused_mtp_input_rmsnorm(inputs_embeds: torch.Tensor, positions: torch.Tensor,
                            previous_hidden_states: torch.Tensor, enorm_weight: torch.Tensor,
                            hnorm_weight: torch.Tensor, eps: float, hc_mult: int,
                            **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """Embedding + hidden-stream RMSNorms of the MTP input; see :class:`FusedMTPInputRMSNorm`."""
    return FusedMTPInputRMSNorm.default()(inputs_embeds, positions, previous_hidden_states,
                                          enorm_weight, hnorm_weight, eps, hc_mult, **kwargs)


# ---------------------------------------------------------------------------------------------
# warmup input makers (DeepSeek-V4 dimensions; engines with other dimensions pass their own)
# ---------------------------------------------------------------------------------------------

V4_HEADS, V4_GROUPS, V4_HIDDEN, V4_HC_MULT, V4_MAX_POS = 64, 8, 7168, 4, 4096


def rope_quant_inputs(device: torch.device, num_tokens: int, gen: torch.Generator, *,
                      heads: int = V4_HEADS, n_groups: int = V4_GROUPS, nope_dim: int = 448,
                      rope_dim: int = 64, max_pos: int = V4_MAX_POS,
                      tma_aligned_scales: bool = False):
    """(args, kwargs) for fused_inv_rope_fp8_quant with T = num_tokens (random, seeded by gen)."""
    o = torch.randn(num_tokens, heads, nope_dim + rope_dim, generator=gen).to(torch.bfloat16)
    positions = torch.randint(0, max_pos, (num_tokens,), generator=gen)
    angles = torch.rand(max_pos, rope_dim // 2, generator=gen) * 6.3
    cache = torch.cat((angles.cos(), angles.sin()), dim=1)
    args = (o.to(device), positions.to(device), cache.to(device), n_groups, heads // n_groups)
    return args, {"nope_dim": nope_dim, "rope_dim": rope_dim,
                  "tma_aligned_scales": tma_aligned_scales}


def mtp_rmsnorm_inputs(device: torch.device, num_tokens: int, gen: torch.Generator, *,
                       hidden: int = V4_HIDDEN, hc_mult: int = V4_HC_MULT):
    """(args, kwargs) for fused_mtp_input_rmsnorm with T = num_tokens (random, seeded by gen)."""
    emb = torch.randn(num_tokens, hidden, generator=gen).to(torch.bfloat16)
    positions = torch.randint(0, 3, (num_tokens,), generator=gen)   # some rows at position 0
    prev = torch.randn(num_tokens, hc_mult, hidden, generator=gen).to(torch.bfloat16)
    ew = (1 + 0.1 * torch.randn(hidden, generator=gen)).to(torch.bfloat16)
    hw = (1 + 0.1 * torch.randn(hidden, generator=gen)).to(torch.bfloat16)
    args = tuple(t.to(device) for t in (emb, positions, prev, ew, hw)) + (1e-6, hc_mult)
    return args, {}


def _rope_quant_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    # Both scale layouts: PACKED is a constexpr, so each is its own compiled kernel.
    return [rope_quant_inputs(device, num_tokens, gen, tma_aligned_scales=packed)
            for packed in (False, True)]


register_warmup(FusedInvRopeFP8Quant.name, _rope_quant_variants)
register_warmup(FusedMTPInputRMSNorm.name, mtp_rmsnorm_inputs)

__all__ = [
    "FusedInvRopeFP8Quant", "fused_inv_rope_fp8_quant",
    "FusedMTPInputRMSNorm", "fused_mtp_input_rmsnorm",
    "GraphBuffers", "warmup", "register_warmup",
]
