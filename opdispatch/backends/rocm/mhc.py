"""aiter adapters of the mHC ops (ROCm). ``aiter`` is imported inside the functions, never at import.

aiter (``aiter/ops/mhc.py``) exposes, at the package top level:

- ``mhc_pre(residual, fn, hc_scale, hc_base, rms_eps, hc_pre_eps, hc_sinkhorn_eps,
  hc_post_mult_value, sinkhorn_repeat, norm_weight=None, norm_eps=1e-6)
  -> (post_mix, comb_mix, layer_input)``: allocates its outputs; ``sinkhorn_repeat=0`` with
  ``fn [n, n*H]`` is hc_head (only the pre weights, ``hc_pre_eps`` as hc_eps);
- ``mhc_post(out, x, residual, post_layer_mix, comb_res_mix)``: writes ``out``;
- ``mhc_fused_post_pre(layer_input, residual_in, post_layer_mix, comb_res_mix, fn, hc_scale,
  hc_base, rms_eps, hc_pre_eps, hc_sinkhorn_eps, hc_post_mult_value, sinkhorn_repeat,
  norm_weight, norm_eps) -> (post_mix, comb_mix, layer_input_out, next_residual)``.

Its kernels take contiguous bf16 streams (layer_input is always bf16): other inputs run our
Triton kernel instead. Where aiter allocates its own outputs, they are copied into ours (a
few extra bytes per token for the coefficients, one [T, H] copy for the layer input).

All four ops are rows of the known-bad table (wrong results at large token counts until
ROCm/aiter b639cb63): dispatch leaves them off unless OPDISPATCH_ALLOW_KNOWN_BAD allows them.
"""

from __future__ import annotations

import importlib
import inspect

import torch


def _aiter():
    return importlib.import_module("aiter")


def _probe(fn_name: str, expected: tuple[str, ...]):
    def probe() -> tuple[bool, str]:
        fn = getattr(_aiter(), fn_name, None)
        if fn is None:
            return False, f"aiter.{fn_name} is missing (aiter too old for mHC)"
        params = tuple(inspect.signature(fn).parameters)
        if params[: len(expected)] != expected:
            return False, f"aiter.{fn_name} has parameters {params}, expected {expected} first"
        return True, f"aiter.{fn_name} present"

    return probe


_PRE_PARAMS = ("residual", "fn", "hc_scale", "hc_base", "rms_eps", "hc_pre_eps", "hc_sinkhorn_eps",
               "hc_post_mult_value", "sinkhorn_repeat", "norm_weight", "norm_eps")
probe_mhc_pre = _probe("mhc_pre", _PRE_PARAMS)
probe_mhc_post = _probe("mhc_post", ("out", "x", "residual", "post_layer_mix", "comb_res_mix"))
probe_mhc_fused_post_pre = _probe(
    "mhc_fused_post_pre",
    ("layer_input", "residual_in", "post_layer_mix", "comb_res_mix", "fn", "hc_scale", "hc_base",
     "rms_eps", "hc_pre_eps", "hc_sinkhorn_eps", "hc_post_mult_value", "sinkhorn_repeat",
     "norm_weight", "norm_eps"))


def _aiter_takes(*tensors: torch.Tensor) -> bool:
    """aiter's mHC kernels read bf16 tensors as dense [T, n, H] / [T, H] rows."""
    return all(t.dtype == torch.bfloat16 and t.is_contiguous() for t in tensors)


def mhc_pre(residual: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
            norm_weight: torch.Tensor | None, layer_input: torch.Tensor, post_mix: torch.Tensor,
            comb_mix: torch.Tensor, rms_eps: float, hc_pre_eps: float, sinkhorn_eps: float,
            post_mult: float, sinkhorn_iters: int, norm_eps: float) -> None:
    if residual.shape[0] == 0:
        return
    if not _aiter_takes(residual):
        from opdispatch.backends.triton import mhc as tmhc

        tmhc.mhc_pre(residual, fn, scale, base, norm_weight, layer_input, post_mix, comb_mix, rms_eps,
                     hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps)
        return
    post, comb, y = _aiter().mhc_pre(residual, fn, scale, base, rms_eps, hc_pre_eps, sinkhorn_eps,
                                     post_mult, sinkhorn_iters, norm_weight, norm_eps)
    layer_input.copy_(y)
    post_mix.copy_(post.view(post_mix.shape))
    comb_mix.copy_(comb.view(comb_mix.shape))


def hc_head(x: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
            out: torch.Tensor, rms_eps: float, hc_eps: float) -> None:
    if x.shape[0] == 0:
        return
    if not _aiter_takes(x):
        from opdispatch.backends.triton import mhc as tmhc

        tmhc.hc_head(x, fn, scale, base, out, rms_eps, hc_eps)
        return
    # sinkhorn_repeat=0 selects aiter's head path: pre weights only, hc_pre_eps is hc_eps.
    _, _, y = _aiter().mhc_pre(x, fn, scale, base, rms_eps, hc_eps, 0.0, 1.0, 0, None, 1e-6)
    out.copy_(y)


def mhc_post(x: torch.Tensor, residual: torch.Tensor, post_mix: torch.Tensor,
             comb_mix: torch.Tensor, out: torch.Tensor) -> None:
    if residual.shape[0] == 0:
        return
    if not (_aiter_takes(x, residual, out) and post_mix.is_contiguous() and comb_mix.is_contiguous()):
        from opdispatch.backends.triton import mhc as tmhc

        tmhc.mhc_post(x, residual, post_mix, comb_mix, out)
        return
    _aiter().mhc_post(out, x, residual, post_mix, comb_mix)


def mhc_fused_post_pre(x: torch.Tensor, residual: torch.Tensor, post_mix_in: torch.Tensor,
                       comb_mix_in: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor,
                       base: torch.Tensor, norm_weight: torch.Tensor | None,
                       new_residual: torch.Tensor, layer_input: torch.Tensor,
                       post_mix: torch.Tensor, comb_mix: torch.Tensor, rms_eps: float,
                       hc_pre_eps: float, sinkhorn_eps: float, post_mult: float,
                       sinkhorn_iters: int, norm_eps: float) -> None:
    if residual.shape[0] == 0:
        return
    if not (_aiter_takes(x, residual) and post_mix_in.is_contiguous() and comb_mix_in.is_contiguous()):
        from opdispatch.backends.triton import mhc as tmhc

        tmhc.mhc_fused_post_pre(x, residual, post_mix_in, comb_mix_in, fn, scale, base, norm_weight,
                                new_residual, layer_input, post_mix, comb_mix, rms_eps, hc_pre_eps,
                                sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps)
        return
    post, comb, y, new = _aiter().mhc_fused_post_pre(
        x, residual, post_mix_in, comb_mix_in, fn, scale, base, rms_eps, hc_pre_eps, sinkhorn_eps,
        post_mult, sinkhorn_iters, norm_weight, norm_eps)
    new_residual.copy_(new)
    layer_input.copy_(y)
    post_mix.copy_(post.view(post_mix.shape))
    comb_mix.copy_(comb.view(comb_mix.shape))
