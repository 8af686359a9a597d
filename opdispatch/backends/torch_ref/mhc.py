"""mHC (manifold-constrained hyper-connections, DeepSeek-V4) in plain PyTorch: the semantics.

Shapes: T tokens, n = hc_mult streams, H hidden, N = (2 + n) * n mixes. All math in float32.

- ``mhc_pre``: mixes the n residual streams into the sublayer input and computes the mixing
  coefficients of the following ``mhc_post``::

      x     = residual.view(T, n*H).float()
      mixes = (x @ fn.T) * rsqrt(mean(x**2, -1) + rms_eps)            # [T, N]
      pre   = sigmoid(mixes[:, :n]   * scale[0] + base[:n])   + hc_pre_eps
      post  = sigmoid(mixes[:, n:2n] * scale[1] + base[n:2n]) * post_mult
      comb  = sinkhorn(mixes[:, 2n:].view(T, n, n) * scale[2] + base[2n:].view(n, n))
      y     = sum_i pre[:, i] * residual[:, i, :]                      # [T, H]
      layer_input = y.to(dtype)                     (no norm_weight)
                  = rmsnorm(y.to(dtype).float()) * norm_weight          (RMSNorm fused:
                    y * rsqrt(mean(y**2) + norm_eps) on the rounded y, as an unfused RMSNorm)

  sinkhorn(C): ``C = softmax(C, -1) + eps; C = C / (C.sum(-2) + eps)`` then ``iters - 1`` times
  ``C = C / (C.sum(-1) + eps); C = C / (C.sum(-2) + eps)``: columns end normalised.
- ``mhc_post``: ``out[:, j] = post[:, j] * x + sum_i comb[:, i, j] * residual[:, i]``.
- ``hc_head``: ``pre = sigmoid(mixes * scale[0] + base) + hc_eps`` (N = n), ``out = sum_i pre_i x_i``.
- ``mhc_fused_post_pre``: ``new = mhc_post(...)`` rounded to the residual dtype, then
  ``mhc_pre(new, ...)``: exactly post-then-pre.

Each ``*_into`` function has the op's kernel signature (outputs preallocated, written in place).
"""

from __future__ import annotations

import torch


def rms_mixes(x: torch.Tensor, fn: torch.Tensor, rms_eps: float) -> torch.Tensor:
    """``(x @ fn.T) * rsqrt(mean(x^2) + eps)`` for ``x [T, K]`` (any float dtype), fn ``[N, K]``."""
    xf = x.float()
    inv_rms = torch.rsqrt(xf.square().mean(dim=-1, keepdim=True) + rms_eps)
    return (xf @ fn.float().T) * inv_rms


def sinkhorn(logits: torch.Tensor, eps: float, iters: int) -> torch.Tensor:
    """Sinkhorn-Knopp on ``[T, n, n]`` logits: softmax over rows, then alternate normalisation.

    The last step divides by the column sums, so columns sum to 1 (up to eps)."""
    c = torch.softmax(logits.float(), dim=-1) + eps
    c = c / (c.sum(dim=-2, keepdim=True) + eps)
    for _ in range(iters - 1):
        c = c / (c.sum(dim=-1, keepdim=True) + eps)
        c = c / (c.sum(dim=-2, keepdim=True) + eps)
    return c


def pre_coefficients(mixes, scale, base, n, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters):
    """(pre [T, n], post [T, n], comb [T, n, n]) from the normalised mixes ``[T, (2+n)*n]``."""
    scale = scale.float()
    base = base.float()
    pre = torch.sigmoid(mixes[:, :n] * scale[0] + base[:n]) + hc_pre_eps
    post = torch.sigmoid(mixes[:, n:2 * n] * scale[1] + base[n:2 * n]) * post_mult
    logits = mixes[:, 2 * n:].reshape(mixes.shape[0], n, n) * scale[2] + base[2 * n:].reshape(n, n)
    return pre, post, sinkhorn(logits, sinkhorn_eps, sinkhorn_iters)


def weighted_stream_sum(residual: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """``sum_i weights[:, i] * residual[:, i, :]`` in float32: ``[T, n, H], [T, n] -> [T, H]``."""
    return (weights.unsqueeze(-1) * residual.float()).sum(dim=1)


def rms_norm(y: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    """``y * rsqrt(mean(y^2, -1) + eps) * weight`` in float32."""
    return y * torch.rsqrt(y.square().mean(dim=-1, keepdim=True) + eps) * weight.float()


def mhc_pre(residual, fn, scale, base, *, norm_weight=None, rms_eps=1e-6, hc_pre_eps=1e-6,
            sinkhorn_eps=1e-6, post_mult=2.0, sinkhorn_iters=20, norm_eps=1e-6):
    """Functional form: returns (layer_input [T, H] residual.dtype, post_mix [T, n, 1] f32,
    comb_mix [T, n, n] f32)."""
    t, n, h = residual.shape
    mixes = rms_mixes(residual.reshape(t, n * h), fn, rms_eps)
    pre, post, comb = pre_coefficients(mixes, scale, base, n, hc_pre_eps, sinkhorn_eps, post_mult,
                                       sinkhorn_iters)
    y = weighted_stream_sum(residual, pre).to(residual.dtype)
    if norm_weight is not None:
        # normalise the rounded layer input: exactly what the unfused RMSNorm that follows sees
        y = rms_norm(y.float(), norm_weight, norm_eps).to(residual.dtype)
    return y, post.unsqueeze(-1), comb


def mhc_post(x, residual, post_mix, comb_mix):
    """Functional form: ``[T, H], [T, n, H], [T, n, 1], [T, n, n] -> [T, n, H]`` residual.dtype."""
    mixed = torch.einsum("tij,tih->tjh", comb_mix.float(), residual.float())
    return (post_mix.float() * x.float().unsqueeze(1) + mixed).to(residual.dtype)


def hc_head(x, fn, scale, base, *, rms_eps=1e-6, hc_eps=1e-6):
    """Functional form: ``[T, n, H] -> [T, H]`` in x.dtype."""
    t, n, h = x.shape
    mixes = rms_mixes(x.reshape(t, n * h), fn, rms_eps)
    pre = torch.sigmoid(mixes * scale.float()[0] + base.float()) + hc_eps
    return weighted_stream_sum(x, pre).to(x.dtype)


# ---- kernel signatures: outputs preallocated, written in place ---------------------------------

def mhc_pre_into(residual: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
                 norm_weight: torch.Tensor | None, layer_input: torch.Tensor, post_mix: torch.Tensor,
                 comb_mix: torch.Tensor, rms_eps: float, hc_pre_eps: float, sinkhorn_eps: float,
                 post_mult: float, sinkhorn_iters: int, norm_eps: float) -> None:
    y, post, comb = mhc_pre(residual, fn, scale, base, norm_weight=norm_weight, rms_eps=rms_eps,
                            hc_pre_eps=hc_pre_eps, sinkhorn_eps=sinkhorn_eps, post_mult=post_mult,
                            sinkhorn_iters=sinkhorn_iters, norm_eps=norm_eps)
    layer_input.copy_(y)
    post_mix.copy_(post)
    comb_mix.copy_(comb)


def mhc_post_into(x: torch.Tensor, residual: torch.Tensor, post_mix: torch.Tensor,
                  comb_mix: torch.Tensor, out: torch.Tensor) -> None:
    out.copy_(mhc_post(x, residual, post_mix, comb_mix))


def hc_head_into(x: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
                 out: torch.Tensor, rms_eps: float, hc_eps: float) -> None:
    out.copy_(hc_head(x, fn, scale, base, rms_eps=rms_eps, hc_eps=hc_eps))


def mhc_fused_post_pre_into(x: torch.Tensor, residual: torch.Tensor, post_mix_in: torch.Tensor,
                            comb_mix_in: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor,
                            base: torch.Tensor, norm_weight: torch.Tensor | None,
                            new_residual: torch.Tensor, layer_input: torch.Tensor,
                            post_mix: torch.Tensor, comb_mix: torch.Tensor, rms_eps: float,
                            hc_pre_eps: float, sinkhorn_eps: float, post_mult: float,
                            sinkhorn_iters: int, norm_eps: float) -> None:
    new_residual.copy_(mhc_post(x, residual, post_mix_in, comb_mix_in))
    mhc_pre_into(new_residual, fn, scale, base, norm_weight, layer_input, post_mix, comb_mix,
                 rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps)
