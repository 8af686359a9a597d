"""Benchmark cases of the fused ops (DeepSeek-V4 sizes; GUIDE.md section 5).

Floors count the minimum traffic: every input byte read once and every output byte written
once, including the cos/sin rows each token needs and the padded scale rows. Peers time the
Triton launcher with other tile configs (the tuning knobs of docs/ops/fused.md).
"""

from __future__ import annotations

import torch

from opdispatch.dispatch.bench import BenchCase, BenchSetup, register_bench


def torch_inv_rope_fp8_quant(o, positions, cache, n_groups, heads_per_group, fp8_dtype, fp8_max):
    """Plain PyTorch: inverse RoPE, ue8m0 per-128 quant, the [G, T, W] / [G, K, T_pad] layouts."""
    from opdispatch.backends.torch_ref import fused as ref

    T, heads, D = o.shape
    W = heads_per_group * D
    x = ref.inv_rope_interleaved(o.float(), positions, cache, 64).reshape(T, n_groups, W // 128, 128)
    e = ref.ue8m0_exponent(x.abs().amax(-1), fp8_max)
    s = ref.ue8m0_to_float(e)
    q = (x / s[..., None]).clamp(-fp8_max, fp8_max).to(fp8_dtype)
    q = q.reshape(T, n_groups, W).transpose(0, 1).contiguous()
    t_pad = (T + 3) // 4 * 4
    scales = torch.nn.functional.pad(s.permute(1, 2, 0), (0, t_pad - T))
    return q, scales


def torch_mtp_input_rmsnorm(emb, positions, prev, ew, hw, eps):
    from opdispatch.backends.torch_ref.fused import rms_norm_fp32

    e = torch.where((positions == 0)[:, None], 0.0, emb.float())
    return rms_norm_fp32(e, ew, eps).to(emb.dtype), rms_norm_fp32(prev, hw, eps).to(prev.dtype)


# (tokens per program, warps, heads fastest in launch order)
ROPE_CONFIGS = [(4, 4, False), (8, 4, False), (16, 4, False), (16, 8, False), (8, 2, False),
                (4, 2, False), (4, 4, True), (8, 4, True), (16, 4, True), (8, 2, True), (4, 2, True)]
RMSNORM_WARPS = [4, 8, 16]


def _rope_setup(T: int, packed: bool):
    def setup(device: torch.device) -> BenchSetup:
        from opdispatch.backends.torch_ref.fused import padded_tokens
        from opdispatch.backends.triton import fused as tri
        from opdispatch.dispatch import current_platform
        from opdispatch.ops.fused import fused_inv_rope_fp8_quant, rope_quant_inputs

        gen = torch.Generator().manual_seed(0)
        (o, pos, cache, G, hpg), kw = rope_quant_inputs(device, T, gen, tma_aligned_scales=packed)
        platform = current_platform()
        W, K, t_pad = hpg * 512, hpg * 512 // 128, padded_tokens(T)
        q = torch.empty(G, T, W, dtype=platform.fp8_dtype, device=device)
        s = torch.empty(G, (K + 3) // 4 if packed else K, t_pad,
                        dtype=torch.int32 if packed else torch.float32, device=device)
        scale_bytes = s.numel() * 4
        nbytes = o.numel() * 2 + q.numel() + scale_bytes + pos.numel() * 8 + T * 64 * 4
        peers = {
            f"triton bt={bt} w={w}{' hf' if hf else ''}": (
                lambda bt=bt, w=w, hf=hf: tri.fused_inv_rope_fp8_quant(
                    o, pos, cache, q, s, G, hpg, 448, 64, 128, platform.fp8_max, packed,
                    config=tri.TileConfig(bt, w, hf)))
            for bt, w, hf in ROPE_CONFIGS
        }
        return BenchSetup(
            ours=lambda: fused_inv_rope_fp8_quant(o, pos, cache, G, hpg, **kw),
            torch_fn=None if packed else torch_inv_rope_fp8_quant,
            torch_args=(o, pos, cache, G, hpg, platform.fp8_dtype, platform.fp8_max),
            bytes=nbytes, flops=0, peers=peers,
            note="T x 64 heads x 512 bf16 -> fp8 [8, T, 4096] + " + ("ue8m0 int32" if packed else "fp32") + " scales",
        )

    return setup


def _mtp_setup(T: int, H: int = 7168, hc: int = 4):
    def setup(device: torch.device) -> BenchSetup:
        from opdispatch.backends.triton import fused as tri
        from opdispatch.ops.fused import fused_mtp_input_rmsnorm, mtp_rmsnorm_inputs

        args, _ = mtp_rmsnorm_inputs(device, T, torch.Generator().manual_seed(0), hidden=H, hc_mult=hc)
        emb, pos, prev, ew, hw, eps, _ = args
        e_out, h_out = torch.empty_like(emb), torch.empty_like(prev)
        block = tri.rmsnorm_config(H).block
        peers = {
            f"triton w={w}": (lambda w=w: tri.fused_mtp_input_rmsnorm(
                emb, pos, prev, ew, hw, e_out, h_out, eps, hc, config=tri.TileConfig(block, w)))
            for w in RMSNORM_WARPS
        }
        nbytes = 2 * (emb.numel() + prev.numel()) * emb.element_size() + 2 * H * 2 + T * 8
        return BenchSetup(
            ours=lambda: fused_mtp_input_rmsnorm(*args),
            torch_fn=torch_mtp_input_rmsnorm, torch_args=(emb, pos, prev, ew, hw, eps),
            bytes=nbytes, flops=0, peers=peers,
            note=f"T={T} H={H} hc_mult={hc} bf16",
        )

    return setup


register_bench(BenchCase("fused_inv_rope_fp8_quant", "T=8192 64x512 g8 fp32 scales", _rope_setup(8192, False)))
register_bench(BenchCase("fused_inv_rope_fp8_quant", "T=8192 64x512 g8 ue8m0 int32", _rope_setup(8192, True)))
register_bench(BenchCase("fused_inv_rope_fp8_quant", "T=128 64x512 g8 fp32 scales", _rope_setup(128, False)))
register_bench(BenchCase("fused_mtp_input_rmsnorm", "T=8192 H=7168 hc=4", _mtp_setup(8192)))
register_bench(BenchCase("fused_mtp_input_rmsnorm", "T=64 H=7168 hc=4", _mtp_setup(64)))
