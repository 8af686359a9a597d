"""mHC (manifold-constrained hyper-connections, DeepSeek-V4): public API.

DeepSeek-V4 keeps n = hc_mult residual streams. Around each sublayer ``mhc_pre`` mixes them into
the sublayer input and computes the coefficients that ``mhc_post`` uses to fold the sublayer
output back; ``hc_head`` collapses the streams before the final norm; ``mhc_fused_post_pre`` is
the post of one sublayer and the pre of the next in one pass. Semantics and formulas:
``opdispatch/backends/torch_ref/mhc.py``; kernels and tuning: docs/ops/mhc.md.

Shapes: T tokens, n streams (1, 2, 4 or 8), H hidden, N = (2 + n) * n. Streams are bf16, fp16
or fp32 (bf16 in the model); parameters float32.
"""

from __future__ import annotations

import numbers

import torch

from opdispatch.backends.rocm import mhc as rocm_mhc
from opdispatch.backends.torch_ref import mhc as ref
from opdispatch.dispatch import CustomOp, kernel_op, register_impl
from opdispatch.dispatch.alloc import empty
from opdispatch.dispatch.validate import check_out, check_positive_int, check_same_device, check_tensor

STREAM_DTYPES = (torch.bfloat16, torch.float16, torch.float32)
STREAM_COUNTS = (1, 2, 4, 8)  # the kernels view the mixes as [N / n, n] groups: n a power of two
_F32 = (torch.float32,)


# ---------------------------------------------------------------- validation (metadata only)

def _check_streams(name: str, t: object) -> tuple[int, int, int]:
    check_tensor(name, t, dtypes=STREAM_DTYPES, ndim=3, last_dim_contiguous=True)
    tokens, n, h = t.shape
    if n not in STREAM_COUNTS:
        raise ValueError(f"{name} must have shape [T, n, H] with n (hc_mult) in {STREAM_COUNTS}, got n={n}")
    if h < 1:
        raise ValueError(f"{name} must have H >= 1, got shape {list(t.shape)}")
    return tokens, n, h


def _check_float(name: str, v: object, *, positive: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a float, got {type(v).__name__}")
    v = float(v)
    if not v == v or (v <= 0 if positive else v < 0):  # NaN, or out of range
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'}, got {v}")
    return v


def _check_mix_params(fn, scale, base, n: int, h: int, n_mix: int, n_scale: int) -> None:
    check_tensor("fn", fn, dtypes=_F32, shape=(n_mix, n * h), last_dim_contiguous=True)
    check_tensor("scale", scale, dtypes=_F32, shape=(n_scale,), contiguous=True)
    check_tensor("base", base, dtypes=_F32, shape=(n_mix,), contiguous=True)


def _check_norm_weight(norm_weight, h: int) -> None:
    if norm_weight is not None:
        check_tensor("norm_weight", norm_weight, dtypes=STREAM_DTYPES, shape=(h,), contiguous=True)


def _pre_outputs(tokens, n, h, dtype, device, out_layer_input, out_post_mix, out_comb_mix):
    """Check or allocate (layer_input [T, H], post_mix [T, n, 1], comb_mix [T, n, n])."""
    check_out("out_layer_input", out_layer_input, (tokens, h), dtype, device)
    check_out("out_post_mix", out_post_mix, (tokens, n, 1), torch.float32, device)
    check_out("out_comb_mix", out_comb_mix, (tokens, n, n), torch.float32, device)
    if out_layer_input is not None:
        check_tensor("out_layer_input", out_layer_input, last_dim_contiguous=True)
    for name, t in (("out_post_mix", out_post_mix), ("out_comb_mix", out_comb_mix)):
        if t is not None:
            check_tensor(name, t, contiguous=True)
    layer_input = out_layer_input if out_layer_input is not None else empty((tokens, h), dtype, device)
    post_mix = out_post_mix if out_post_mix is not None else empty((tokens, n, 1), torch.float32, device)
    comb_mix = out_comb_mix if out_comb_mix is not None else empty((tokens, n, n), torch.float32, device)
    return layer_input, post_mix, comb_mix


def _pre_scalars(rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps):
    return (_check_float("rms_eps", rms_eps, positive=True), _check_float("hc_pre_eps", hc_pre_eps),
            _check_float("sinkhorn_eps", sinkhorn_eps), _check_float("post_mult", post_mult),
            check_positive_int("sinkhorn_iters", sinkhorn_iters),
            _check_float("norm_eps", norm_eps, positive=True))


def _check_post_inputs(x, residual, post_mix, comb_mix, names=("x", "residual", "post_mix", "comb_mix")):
    tokens, n, h = _check_streams(names[1], residual)
    check_tensor(names[0], x, dtypes=(residual.dtype,), shape=(tokens, h), last_dim_contiguous=True)
    check_tensor(names[2], post_mix, dtypes=_F32, shape=(tokens, n, 1))
    check_tensor(names[3], comb_mix, dtypes=_F32, shape=(tokens, n, n))
    return tokens, n, h


# ---------------------------------------------------------------- ops

class MHCPre(CustomOp):
    """``mhc_pre(residual, fn, scale, base, *, ...) -> (layer_input, post_mix, comb_mix)``

    Args:
        residual: ``[T, n, H]`` bf16 (or fp16/fp32) streams; last dim contiguous.
        fn: ``[(2+n)*n, n*H]`` float32 mixing projection.
        scale: ``[3]`` float32 (pre, post, comb scales). base: ``[(2+n)*n]`` float32.
        rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters: see the formula.
        norm_weight: optional ``[H]``: RMSNorm the layer input in the same kernel (with norm_eps).
        out_layer_input, out_post_mix, out_comb_mix: optional preallocated outputs.

    Returns:
        layer_input ``[T, H]`` residual.dtype, post_mix ``[T, n, 1]`` f32, comb_mix ``[T, n, n]`` f32.

    Formula (float32; x = residual.view(T, n*H))::

        mixes = (x @ fn.T) * rsqrt(mean(x^2) + rms_eps)
        pre  = sigmoid(mixes[:, :n] * scale[0] + base[:n]) + hc_pre_eps
        post = sigmoid(mixes[:, n:2n] * scale[1] + base[n:2n]) * post_mult
        comb = sinkhorn(mixes[:, 2n:].view(T, n, n) * scale[2] + base[2n:].view(n, n))
        layer_input = sum_i pre[:, i] * residual[:, i]  (then RMSNorm * norm_weight if given)

    Example::

        >>> r = torch.randn(8, 4, 128, dtype=torch.bfloat16)
        >>> fn, scale, base = torch.randn(24, 512) * 0.05, torch.ones(3), torch.zeros(24)
        >>> y, post, comb = opdispatch.mhc_pre(r, fn, scale, base)
        >>> comb.sum(-2)  # columns sum to 1
    """

    name = "mhc_pre"
    aiter_flag = "VLLM_ROCM_USE_AITER_MHC"

    def __call__(self, residual, fn, scale, base, *, rms_eps=1e-6, hc_pre_eps=1e-6,
                 sinkhorn_eps=1e-6, post_mult=2.0, sinkhorn_iters=20, norm_weight=None,
                 norm_eps=1e-6, out_layer_input=None, out_post_mix=None, out_comb_mix=None):
        tokens, n, h = _check_streams("residual", residual)
        _check_mix_params(fn, scale, base, n, h, (2 + n) * n, 3)
        _check_norm_weight(norm_weight, h)
        scalars = _pre_scalars(rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps)
        device = check_same_device(residual=residual, fn=fn, scale=scale, base=base, norm_weight=norm_weight)
        outs = _pre_outputs(tokens, n, h, residual.dtype, device, out_layer_input, out_post_mix, out_comb_mix)
        self.forward(residual, fn, scale, base, norm_weight, *outs, *scalars)
        return outs


class MHCPost(CustomOp):
    """``mhc_post(x, residual, post_mix, comb_mix, *, out=None) -> [T, n, H]``

    Args:
        x: ``[T, H]`` sublayer output, residual.dtype. residual: ``[T, n, H]`` streams.
        post_mix: ``[T, n, 1]`` f32, comb_mix: ``[T, n, n]`` f32 (from mhc_pre; any strides).
        out: optional ``[T, n, H]`` residual.dtype (last dim contiguous; must not be residual).

    Formula (float32): ``out[:, j] = post_mix[:, j] * x + sum_i comb_mix[:, i, j] * residual[:, i]``
    (comb applies transposed: the first index is the source stream).

    Example::

        >>> new = opdispatch.mhc_post(y_out, r, post, comb)
    """

    name = "mhc_post"
    aiter_flag = "VLLM_ROCM_USE_AITER_MHC"

    def __call__(self, x, residual, post_mix, comb_mix, *, out=None):
        tokens, n, h = _check_post_inputs(x, residual, post_mix, comb_mix)
        device = check_same_device(x=x, residual=residual, post_mix=post_mix, comb_mix=comb_mix)
        check_out("out", out, (tokens, n, h), residual.dtype, device)
        if out is not None:
            check_tensor("out", out, last_dim_contiguous=True)
            if out.numel() and out.data_ptr() == residual.data_ptr():
                raise ValueError("out must not be residual: mhc_post does not run in place")
        result = out if out is not None else empty((tokens, n, h), residual.dtype, device)
        self.forward(x, residual, post_mix, comb_mix, result)
        return result


class HCHead(CustomOp):
    """``hc_head(x, fn, scale, base, *, rms_eps=1e-6, hc_eps=1e-6, out=None) -> [T, H]``

    Args:
        x: ``[T, n, H]`` streams (bf16/fp16/fp32). fn: ``[n, n*H]`` f32. scale: ``[1]`` f32.
        base: ``[n]`` f32. out: optional ``[T, H]`` x.dtype.

    Formula (float32): ``mixes = (x.view(T, n*H) @ fn.T) * rsqrt(mean(x^2) + rms_eps)``;
    ``pre = sigmoid(mixes * scale[0] + base) + hc_eps``; ``out = sum_i pre[:, i] * x[:, i]``.

    Example::

        >>> h = opdispatch.hc_head(r, torch.randn(4, 512) * 0.05, torch.ones(1), torch.zeros(4))
    """

    name = "hc_head"
    aiter_flag = "VLLM_ROCM_USE_AITER_MHC"

    def __call__(self, x, fn, scale, base, *, rms_eps=1e-6, hc_eps=1e-6, out=None):
        tokens, n, h = _check_streams("x", x)
        _check_mix_params(fn, scale, base, n, h, n, 1)
        rms_eps = _check_float("rms_eps", rms_eps, positive=True)
        hc_eps = _check_float("hc_eps", hc_eps)
        device = check_same_device(x=x, fn=fn, scale=scale, base=base)
        check_out("out", out, (tokens, h), x.dtype, device)
        if out is not None:
            check_tensor("out", out, last_dim_contiguous=True)
        result = out if out is not None else empty((tokens, h), x.dtype, device)
        self.forward(x, fn, scale, base, result, rms_eps, hc_eps)
        return result


class MHCFusedPostPre(CustomOp):
    """``mhc_fused_post_pre(x, residual, post_mix, comb_mix, fn, scale, base, *, ...)
    -> (new_residual, layer_input, next_post_mix, next_comb_mix)``

    The post of one sublayer followed by the pre of the next, in one pass over the streams:
    ``new_residual = mhc_post(x, residual, post_mix, comb_mix)`` and
    ``(layer_input, next_post_mix, next_comb_mix) = mhc_pre(new_residual, fn, scale, base, ...)``,
    equal to running the two ops one after the other (the pre sees the rounded new residual).

    Args:
        x: ``[T, H]`` output of the sublayer, residual.dtype. residual: ``[T, n, H]`` streams.
        post_mix ``[T, n, 1]`` f32, comb_mix ``[T, n, n]`` f32: the coefficients of this post
        (from the previous pre). fn ``[(2+n)*n, n*H]``, scale ``[3]``, base ``[(2+n)*n]``
        f32, the eps/mult/iters keywords and norm_weight/norm_eps: those of the next pre.
        out_residual, out_layer_input, out_post_mix, out_comb_mix: optional outputs
        (out_residual must not be residual).

    Traffic: on CUDA sm_90 from T = 4096 (H = 6144-8448, the slice kernel) one pass: x and
    residual read once, the new residual written once and never read back (the next pre's GEMM
    and weighted sum use it from shared memory). Elsewhere mhc_post then mhc_pre by default,
    which read the new residual back once; ``opdispatch explain mhc_fused_post_pre`` says which
    runs. See docs/ops/mhc.md.

    Example::

        >>> r2, y2, post2, comb2 = opdispatch.mhc_fused_post_pre(attn_out, r, post, comb, fn, scale, base)
    """

    name = "mhc_fused_post_pre"
    aiter_flag = "VLLM_ROCM_USE_AITER_MHC"

    def __call__(self, x, residual, post_mix, comb_mix, fn, scale, base, *, rms_eps=1e-6,
                 hc_pre_eps=1e-6, sinkhorn_eps=1e-6, post_mult=2.0, sinkhorn_iters=20,
                 norm_weight=None, norm_eps=1e-6, out_residual=None, out_layer_input=None,
                 out_post_mix=None, out_comb_mix=None):
        tokens, n, h = _check_post_inputs(x, residual, post_mix, comb_mix)
        _check_mix_params(fn, scale, base, n, h, (2 + n) * n, 3)
        _check_norm_weight(norm_weight, h)
        scalars = _pre_scalars(rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps)
        device = check_same_device(x=x, residual=residual, post_mix=post_mix, comb_mix=comb_mix, fn=fn,
                                   scale=scale, base=base, norm_weight=norm_weight)
        check_out("out_residual", out_residual, (tokens, n, h), residual.dtype, device)
        if out_residual is not None:
            check_tensor("out_residual", out_residual, last_dim_contiguous=True)
            if out_residual.numel() and out_residual.data_ptr() == residual.data_ptr():
                raise ValueError("out_residual must not be residual: the op does not run in place")
        new_residual = out_residual if out_residual is not None else empty((tokens, n, h), residual.dtype, device)
        outs = _pre_outputs(tokens, n, h, residual.dtype, device, out_layer_input, out_post_mix, out_comb_mix)
        self.forward(x, residual, post_mix, comb_mix, fn, scale, base, norm_weight, new_residual, *outs,
                     *scalars)
        return (new_residual, *outs)


# ---------------------------------------------------------------- providers

register_impl("mhc_pre", "torch_ref", ref.mhc_pre_into)
register_impl("mhc_post", "torch_ref", ref.mhc_post_into)
register_impl("hc_head", "torch_ref", ref.hc_head_into)
register_impl("mhc_fused_post_pre", "torch_ref", ref.mhc_fused_post_pre_into)


def _mhc_pre_triton(residual: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
                    norm_weight: torch.Tensor | None, layer_input: torch.Tensor, post_mix: torch.Tensor,
                    comb_mix: torch.Tensor, rms_eps: float, hc_pre_eps: float, sinkhorn_eps: float,
                    post_mult: float, sinkhorn_iters: int, norm_eps: float) -> None:
    from opdispatch.backends.triton import mhc as tmhc  # lazy: no triton at import

    tmhc.mhc_pre(residual, fn, scale, base, norm_weight, layer_input, post_mix, comb_mix, rms_eps,
                 hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps)


def _mhc_post_triton(x: torch.Tensor, residual: torch.Tensor, post_mix: torch.Tensor,
                     comb_mix: torch.Tensor, out: torch.Tensor) -> None:
    from opdispatch.backends.triton import mhc as tmhc

    tmhc.mhc_post(x, residual, post_mix, comb_mix, out)


def _hc_head_triton(x: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
                    out: torch.Tensor, rms_eps: float, hc_eps: float) -> None:
    from opdispatch.backends.triton import mhc as tmhc

    tmhc.hc_head(x, fn, scale, base, out, rms_eps, hc_eps)


def _mhc_fused_post_pre_triton(x: torch.Tensor, residual: torch.Tensor, post_mix_in: torch.Tensor,
                               comb_mix_in: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor,
                               base: torch.Tensor, norm_weight: torch.Tensor | None,
                               new_residual: torch.Tensor, layer_input: torch.Tensor,
                               post_mix: torch.Tensor, comb_mix: torch.Tensor, rms_eps: float,
                               hc_pre_eps: float, sinkhorn_eps: float, post_mult: float,
                               sinkhorn_iters: int, norm_eps: float) -> None:
    from opdispatch.backends.triton import mhc as tmhc

    tmhc.mhc_fused_post_pre(x, residual, post_mix_in, comb_mix_in, fn, scale, base, norm_weight,
                            new_residual, layer_input, post_mix, comb_mix, rms_eps, hc_pre_eps,
                            sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps)


def _triton_note(op: str):
    def note(platform) -> str:
        from opdispatch.backends.triton import mhc as tmhc  # lazy: no triton at import

        return tmhc.describe(op)
    return note


_PRE_OUTS = ("layer_input", "post_mix", "comb_mix")
register_impl("mhc_pre", "triton", kernel_op("mhc_pre_triton", _mhc_pre_triton, mutates_args=_PRE_OUTS),
              kernels=_triton_note("mhc_pre"))
register_impl("mhc_post", "triton", kernel_op("mhc_post_triton", _mhc_post_triton, mutates_args=("out",)),
              kernels=_triton_note("mhc_post"))
register_impl("hc_head", "triton", kernel_op("hc_head_triton", _hc_head_triton, mutates_args=("out",)),
              kernels=_triton_note("hc_head"))
register_impl("mhc_fused_post_pre", "triton",
              kernel_op("mhc_fused_post_pre_triton", _mhc_fused_post_pre_triton,
                        mutates_args=("new_residual", *_PRE_OUTS)),
              kernels=_triton_note("mhc_fused_post_pre"))

register_impl("mhc_pre", "aiter",
              kernel_op("mhc_pre_aiter", rocm_mhc.mhc_pre, mutates_args=_PRE_OUTS),
              probe=rocm_mhc.probe_mhc_pre)
register_impl("mhc_post", "aiter",
              kernel_op("mhc_post_aiter", rocm_mhc.mhc_post, mutates_args=("out",)),
              probe=rocm_mhc.probe_mhc_post)
register_impl("hc_head", "aiter",
              kernel_op("hc_head_aiter", rocm_mhc.hc_head, mutates_args=("out",)),
              probe=rocm_mhc.probe_mhc_pre)
register_impl("mhc_fused_post_pre", "aiter",
              kernel_op("mhc_fused_post_pre_aiter", rocm_mhc.mhc_fused_post_pre,
                        mutates_args=("new_residual", *_PRE_OUTS)),
              probe=rocm_mhc.probe_mhc_fused_post_pre)


# ---------------------------------------------------------------- public functions

def mhc_pre(residual, fn, scale, base, **kwargs):
    """Mix the n streams into the sublayer input; see :class:`MHCPre`."""
    return MHCPre.default()(residual, fn, scale, base, **kwargs)


def mhc_post(x, residual, post_mix, comb_mix, **kwargs):
    """Fold the sublayer output back into the streams; see :class:`MHCPost`."""
    return MHCPost.default()(x, residual, post_mix, comb_mix, **kwargs)


def hc_head(x, fn, scale, base, **kwargs):
    """Collapse the streams before the final norm; see :class:`HCHead`."""
    return HCHead.default()(x, fn, scale, base, **kwargs)


def mhc_fused_post_pre(x, residual, post_mix, comb_mix, fn, scale, base, **kwargs):
    """mhc_post then the next mhc_pre in one pass; see :class:`MHCFusedPostPre`."""
    return MHCFusedPostPre.default()(x, residual, post_mix, comb_mix, fn, scale, base, **kwargs)


__all__ = ["MHCPre", "MHCPost", "HCHead", "MHCFusedPostPre", "mhc_pre", "mhc_post", "hc_head",
           "mhc_fused_post_pre"]
