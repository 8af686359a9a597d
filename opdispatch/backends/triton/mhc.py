"""Launchers of the mHC Triton kernels (kernels in ``mhc_kernels.py``), with their configs.

Every launcher has its op's kernel signature: validated inputs, preallocated outputs, returns
None. The config is chosen deterministically from the shape (no autotuning: nothing compiles
during CUDA-graph capture once a shape has run); a ``config=`` argument overrides it (benchmarks
and tuning runs use that; see docs/ops/mhc.md for the knobs).

mhc_pre / hc_head / mhc_fused_post_pre run in one of two modes:

- ``split`` (default): kernel 1 computes the GEMM against fn and the sum of squares over a grid
  of (token tiles x K-splits) and writes raw partial rows ``[S, T, NP]`` float32; kernel 2
  reduces them, computes the sigmoids and the Sinkhorn iterations per token and writes the
  weighted sum over the streams for its (tokens x H-block) tile. The residual is read twice
  (the second read hits L2 only when T*n*H*2 bytes fit in it).
- ``fused``: one kernel; a program owns BLOCK_T tokens over all of K and goes straight on to the
  coefficients and the weighted sum (its re-read of its own rows, in reverse order, can hit L2).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
import triton

from opdispatch.backends.triton.mhc_kernels import (
    _mhc_post_kernel,
    _mhc_pre_finish_kernel,
    _mhc_pre_gemm_kernel,
)


@dataclass(frozen=True)
class PreConfig:
    mode: str = "split"  # "split" (2 kernels) or "fused" (1 kernel)
    block_t: int = 16  # tokens per GEMM program (>= 16: the tl.dot minimum)
    block_h: int = 64  # H-block of the GEMM: K per tl.dot is n * block_h
    programs_per_sm: int = 4  # split mode: K-splits are added until the GEMM grid has this many per SM
    num_warps: int = 4
    num_stages: int = 2
    out_block_t: int = 2  # split mode, kernel 2: tokens per program
    out_block_h: int = 512  # H-block of the weighted sum (fused mode: keep block_t*n*out_block_h ~8K)
    out_num_warps: int = 4
    reverse: bool = True  # fused mode: weighted sum walks H-blocks last-read first


@dataclass(frozen=True)
class PostConfig:
    block_t: int = 2
    block_h: int = 512
    num_warps: int = 4


@functools.lru_cache(maxsize=16)
def _sm_count(device: torch.device) -> int:
    if device.type == "cuda":
        return torch.cuda.get_device_properties(device).multi_processor_count
    return 4  # the interpreter on CPU: any small grid will do


def mix_columns(n: int, head: bool) -> tuple[int, int]:
    """(N, NP): mixes per token and the padded width (a power of two >= 16 with a spare column)."""
    n_mix = n if head else (2 + n) * n
    return n_mix, max(16, triton.next_power_of_2(n_mix + 1))


def default_pre_config(t: int, n: int, h: int, head: bool = False) -> PreConfig:
    """The config used when none is given: a function of the shape only."""
    _, np_ = mix_columns(n, head)
    if t >= 4096:
        # Large T: 64 tokens per program cut the L2 traffic of re-reading fn (2.75 MB at n=4,
        # H=7168) per token tile by 4x against 16; 8 warps hold the [64, n*32] tile.
        block_t, num_warps, k_elems = 64, 8, 128
    elif t >= 512:
        block_t, num_warps, k_elems = 32, 4, 256
    else:
        block_t, num_warps, k_elems = 16, 4, 256
    # keep the fn^T tile [n*block_h, NP] float32 near 8K elements (32 KB of registers)
    block_h = max(8, min(k_elems // n, 8192 // (n * np_)))
    block_h = max(block_h, triton.cdiv(16, n))  # tl.dot needs K >= 16
    return PreConfig(block_t=block_t, block_h=block_h, num_warps=num_warps)


def default_post_config(t: int, n: int, h: int) -> PostConfig:
    # keep the fp32 accumulator [block_t, n, block_h] at 4K elements: 32 registers a thread
    return PostConfig(block_t=2, block_h=max(64, min(1024, 2048 // n)), num_warps=4)


def mhc_post(x: torch.Tensor, residual: torch.Tensor, post_mix: torch.Tensor,
             comb_mix: torch.Tensor, out: torch.Tensor, config: PostConfig | None = None) -> None:
    t, n, h = residual.shape
    if t == 0:
        return
    cfg = config or default_post_config(t, n, h)
    grid = (triton.cdiv(t, cfg.block_t), triton.cdiv(h, cfg.block_h))
    _mhc_post_kernel[grid](
        x, x.stride(0), residual, residual.stride(0), residual.stride(1),
        post_mix, post_mix.stride(0), post_mix.stride(1),
        comb_mix, comb_mix.stride(0), comb_mix.stride(1), comb_mix.stride(2),
        out, out.stride(0), out.stride(1), t, h,
        N_STREAMS=n, BLOCK_T=cfg.block_t, BLOCK_H=cfg.block_h, num_warps=cfg.num_warps,
    )


def _launch_pre(res, fn, scale, base, norm_weight, out, post_mix, comb_mix, *, head, post_in,
                rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps, config):
    """Shared by mhc_pre, hc_head and mhc_fused_post_pre.

    post_in: None, or (x, old_residual, post_mix_in, comb_mix_in) for the fused post+pre, in
    which case ``res`` is the new residual, written by the GEMM kernel."""
    t, n, h = res.shape
    if t == 0:
        return
    n_mix, np_ = mix_columns(n, head)
    cfg = config or default_pre_config(t, n, h, head)
    has_norm = norm_weight is not None
    fused_post = post_in is not None
    if fused_post:
        x, old, pin, cin = post_in
        post_args = (x, x.stride(0), old, old.stride(0), old.stride(1), pin, pin.stride(0),
                     pin.stride(1), cin, cin.stride(0), cin.stride(1), cin.stride(2))
    else:
        post_args = (res, 0, res, 0, 0, res, 0, 0, res, 0, 0, 0)  # unused pointers
    nw = norm_weight if has_norm else fn  # unused pointer when there is no norm
    post_ptr, post_stride = (post_mix, post_mix.stride(0)) if post_mix is not None else (fn, 0)
    comb_ptr, comb_stride = (comb_mix, comb_mix.stride(0)) if comb_mix is not None else (fn, 0)
    scalars = (rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, 1 if head else sinkhorn_iters, norm_eps)
    n_hb = triton.cdiv(h, cfg.block_h)
    tiles = triton.cdiv(t, cfg.block_t)
    # bf16 tensor-core GEMM on GPUs; the interpreter (CPU tensors) mis-evaluates bf16 tl.dot
    # (triton 3.9), so there the IEEE float32 dot runs: same math, exact products.
    x_bf16 = res.dtype == torch.bfloat16 and res.device.type != "cpu"
    if cfg.mode == "fused":
        n_split, hb_per_split, part = 1, n_hb, fn
    elif cfg.mode == "split":
        target = _sm_count(res.device) * cfg.programs_per_sm
        n_split = max(1, min(n_hb, triton.cdiv(target, tiles)))
        hb_per_split = triton.cdiv(n_hb, n_split)
        n_split = triton.cdiv(n_hb, hb_per_split)  # no empty split
        part = torch.empty((n_split, t, np_), dtype=torch.float32, device=res.device)
    else:
        raise ValueError(f"PreConfig.mode must be 'split' or 'fused', got {cfg.mode!r}")
    _mhc_pre_gemm_kernel[(tiles, n_split)](
        res, res.stride(0), res.stride(1), *post_args, fn, fn.stride(0), scale, base, part,
        out, out.stride(0), post_ptr, post_stride, comb_ptr, comb_stride, nw, t, h, hb_per_split,
        *scalars,
        N_STREAMS=n, N_MIX=n_mix, NP=np_, BLOCK_T=cfg.block_t, BLOCK_H=cfg.block_h,
        OUT_BLOCK_H=cfg.out_block_h, HEAD=head, FUSED_POST=fused_post,
        FINISH=cfg.mode == "fused", HAS_NORM=has_norm, X_BF16=x_bf16, REVERSE=cfg.reverse,
        num_warps=cfg.num_warps, num_stages=cfg.num_stages,
    )
    if cfg.mode == "fused":
        return
    grid_h = 1 if has_norm else triton.cdiv(h, cfg.out_block_h)  # the norm needs whole rows
    _mhc_pre_finish_kernel[(triton.cdiv(t, cfg.out_block_t), grid_h)](
        part, n_split, res, res.stride(0), res.stride(1), scale, base, out, out.stride(0),
        post_ptr, post_stride, comb_ptr, comb_stride, nw, t, h, *scalars,
        N_STREAMS=n, N_MIX=n_mix, NP=np_, BLOCK_T=cfg.out_block_t, BLOCK_H=cfg.out_block_h,
        HEAD=head, HAS_NORM=has_norm, num_warps=cfg.out_num_warps,
    )


def mhc_pre(residual: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
            norm_weight: torch.Tensor | None, layer_input: torch.Tensor, post_mix: torch.Tensor,
            comb_mix: torch.Tensor, rms_eps: float, hc_pre_eps: float, sinkhorn_eps: float,
            post_mult: float, sinkhorn_iters: int, norm_eps: float,
            config: PreConfig | None = None) -> None:
    _launch_pre(residual, fn, scale, base, norm_weight, layer_input, post_mix, comb_mix,
                head=False, post_in=None, rms_eps=rms_eps, hc_pre_eps=hc_pre_eps,
                sinkhorn_eps=sinkhorn_eps, post_mult=post_mult, sinkhorn_iters=sinkhorn_iters,
                norm_eps=norm_eps, config=config)


def hc_head(x: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
            out: torch.Tensor, rms_eps: float, hc_eps: float, config: PreConfig | None = None) -> None:
    _launch_pre(x, fn, scale, base, None, out, None, None, head=True, post_in=None,
                rms_eps=rms_eps, hc_pre_eps=hc_eps, sinkhorn_eps=1e-6, post_mult=1.0,
                sinkhorn_iters=1, norm_eps=0.0, config=config)


def mhc_fused_post_pre(x: torch.Tensor, residual: torch.Tensor, post_mix_in: torch.Tensor,
                       comb_mix_in: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor,
                       base: torch.Tensor, norm_weight: torch.Tensor | None,
                       new_residual: torch.Tensor, layer_input: torch.Tensor,
                       post_mix: torch.Tensor, comb_mix: torch.Tensor, rms_eps: float,
                       hc_pre_eps: float, sinkhorn_eps: float, post_mult: float,
                       sinkhorn_iters: int, norm_eps: float,
                       config: PreConfig | None = None) -> None:
    _launch_pre(new_residual, fn, scale, base, norm_weight, layer_input, post_mix, comb_mix,
                head=False, post_in=(x, residual, post_mix_in, comb_mix_in), rms_eps=rms_eps,
                hc_pre_eps=hc_pre_eps, sinkhorn_eps=sinkhorn_eps, post_mult=post_mult,
                sinkhorn_iters=sinkhorn_iters, norm_eps=norm_eps, config=config)
