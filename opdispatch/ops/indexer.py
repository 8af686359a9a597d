"""The sparse-attention indexer of DeepSeek V3.2/V4: fp8 MQA logits (prefill and paged decode),
the indexer K cache, and logits + top-k per row.

Providers: torch_ref (the semantics, chunked), triton (portable kernels), deep_gemm on CUDA for
the two logits ops (``VLLM_USE_DEEP_GEMM``), aiter on ROCm (``VLLM_ROCM_USE_AITER`` +
``VLLM_ROCM_USE_AITER_INDEXER``). The two sparse_attn_indexer ops run the logits of the same
provider, then top-k per row through ``opdispatch.ops.topk`` (its own dispatch).

Device-data checks (bounds within [0, N], a block table long enough for the context, slot ids
inside the cache) need a host sync; they run only with ``OPDISPATCH_DEBUG_CHECKS=1``.
"""

from __future__ import annotations

import torch

from opdispatch.backends.torch_ref import indexer as ref
from opdispatch.dispatch import CustomOp, get_flags, kernel_op, register_impl
from opdispatch.dispatch.alloc import empty
from opdispatch.dispatch.platform import is_fp8_dtype
from opdispatch.dispatch.validate import check_bool, check_positive_int, check_same_device, check_tensor
from opdispatch.warmup import register_warmup

AITER_FLAG = "VLLM_ROCM_USE_AITER_INDEXER"
_BOUND_DTYPES = (torch.int32,)
_K_DTYPES = (torch.bfloat16, torch.float16, torch.float32)
# Largest head dim the kernels tile in one block (a power of two up to 512 in registers).
_MAX_HEAD_DIM = 512

# Peak logits memory of one sparse_attn_indexer_prefill call: query rows are processed in chunks
# of max(1, PREFILL_LOGITS_BUDGET_BYTES // (4 * N)) rows, so at most this many bytes of float32
# logits exist at once (plus one row when a single row is larger).
PREFILL_LOGITS_BUDGET_BYTES = 256 * 1024 * 1024


# --------------------------------------------------------------------------------------- checks

def _debug_checks_enabled() -> bool:
    """``OPDISPATCH_DEBUG_CHECKS``: validate device data (host syncs). Read once per instance."""
    return bool(getattr(get_flags(), "debug_checks", False))


def _fp8_dtypes(platform) -> tuple[torch.dtype, ...]:
    """fp8 dtypes accepted for q/k: the platform's; both on CPU (reference semantics only)."""
    if platform.is_cpu():
        return (torch.float8_e4m3fn, torch.float8_e4m3fnuz)
    return (platform.fp8_dtype,)


def _check_fp8(name: str, t: object, allowed: tuple[torch.dtype, ...], ndim: int) -> torch.Tensor:
    if isinstance(t, torch.Tensor) and not is_fp8_dtype(t.dtype):
        raise TypeError(f"{name} must be fp8 ({', '.join(str(d) for d in allowed)}), got {t.dtype}")
    return check_tensor(name, t, dtypes=allowed, ndim=ndim, last_dim_contiguous=True)


def _check_head_dim(name: str, dim: int) -> None:
    if dim % 16 or not 16 <= dim <= _MAX_HEAD_DIM:
        raise ValueError(f"{name}: head dim must be a multiple of 16 in [16, {_MAX_HEAD_DIM}], got {dim}")


def _check_out(name: str, out: object, shape: tuple[int, ...], dtype: torch.dtype,
               device: torch.device) -> torch.Tensor:
    t = check_tensor(name, out, dtypes=(dtype,), shape=shape, last_dim_contiguous=True)
    if t.device != device:
        raise ValueError(f"{name} is on {t.device}, expected {device}")
    return t




def _check_kv(kv: object, allowed, head_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(kv, (tuple, list)) or len(kv) != 2:
        raise TypeError(f"kv must be a tuple (k fp8 [N, D], k_scale float32 [N]), got {type(kv).__name__}")
    k, k_scale = kv
    _check_fp8("kv[0] (k)", k, allowed, 2)
    if k.shape[1] != head_dim:
        raise ValueError(f"kv[0] (k) must have head dim {head_dim} like q, got shape {list(k.shape)}")
    check_tensor("kv[1] (k_scale)", k_scale, dtypes=(torch.float32,), ndim=(1, 2))
    if k_scale.dim() == 2:
        if k_scale.shape[1] != 1:
            raise ValueError(f"kv[1] (k_scale) must be [N] or [N, 1], got {list(k_scale.shape)}")
        k_scale = k_scale[:, 0]
    if k_scale.shape[0] != k.shape[0]:
        raise ValueError(f"kv[1] (k_scale) must have N={k.shape[0]} entries, got {k_scale.shape[0]}")
    if k_scale.shape[0] > 1 and k_scale.stride(0) != 1:
        raise ValueError(f"kv[1] (k_scale) must be contiguous, got stride {k_scale.stride()}")
    return k, k_scale


def check_kv_cache(kv_cache: object, head_dim: int) -> torch.Tensor:
    """uint8 ``[num_blocks, block_size, 1, head_dim + 4]``, token stride head_dim + 4, block stride a
    multiple of 4 bytes holding at least one block, storage offset a multiple of 4 (the float32
    scales must be aligned).

    Under torch.compile the storage-offset check is left to the kernel providers
    (:func:`check_kv_cache_offset` runs inside each kernel op, on the real tensor): Dynamo cannot
    trace ``Tensor.storage_offset()`` (it returns an int, a graph break)."""
    t = check_tensor("kv_cache", kv_cache, dtypes=(torch.uint8,), ndim=4)
    nb, bs, kv_heads, width = t.shape
    if kv_heads != 1 or width != head_dim + 4:
        raise ValueError(f"kv_cache must have shape [num_blocks, block_size, 1, {head_dim + 4}] "
                         f"(head dim {head_dim} + 4 scale bytes), got {list(t.shape)}")
    if bs < 1 or nb < 1:
        raise ValueError(f"kv_cache must hold at least one block of at least one token, got {list(t.shape)}")
    if t.stride(3) != 1 or t.stride(1) != width or t.stride(0) % 4 or t.stride(0) < bs * width:
        raise ValueError("kv_cache must be token-major within a block (strides [S0, head_dim + 4, *, 1], "
                         f"S0 >= block_size * (head_dim + 4), S0 and the storage offset multiples of 4), "
                         f"got strides {t.stride()}")
    if not torch.compiler.is_compiling():
        check_kv_cache_offset(t)
    return t


def check_kv_cache_offset(kv_cache: torch.Tensor) -> None:
    """The cache's storage offset is a multiple of 4 bytes (float32 scales aligned). Eager only:
    called by :func:`check_kv_cache` outside torch.compile and by the kernel providers (opaque
    to Dynamo, so a compiled caller gets the same error before the launch)."""
    if kv_cache.storage_offset() % 4:
        raise ValueError("kv_cache must be token-major within a block (strides [S0, head_dim + 4, *, 1], "
                         "S0 >= block_size * (head_dim + 4), S0 and the storage offset multiples of 4), "
                         f"got strides {kv_cache.stride()} and storage offset {kv_cache.storage_offset()}")


def validate_mqa(platform, q, kv, weights, cu_seqlen_ks, cu_seqlen_ke, clean_logits):
    """Checks of fp8_mqa_logits' arguments (metadata only); returns (k, k_scale [N])."""
    allowed = _fp8_dtypes(platform)
    _check_fp8("q", q, allowed, 3)
    S, H, D = q.shape
    _check_head_dim("q", D)
    k, k_scale = _check_kv(kv, (q.dtype,), D)
    check_tensor("weights", weights, dtypes=(torch.float32,), shape=(S, H), last_dim_contiguous=True)
    check_tensor("cu_seqlen_ks", cu_seqlen_ks, dtypes=_BOUND_DTYPES, shape=(S,), contiguous=True)
    check_tensor("cu_seqlen_ke", cu_seqlen_ke, dtypes=_BOUND_DTYPES, shape=(S,), contiguous=True)
    check_bool("clean_logits", clean_logits)
    check_same_device(q=q, k=k, k_scale=k_scale, weights=weights, cu_seqlen_ks=cu_seqlen_ks,
                      cu_seqlen_ke=cu_seqlen_ke)
    return k, k_scale


def validate_paged(platform, q, kv_cache, weights, context_lens, block_tables, max_model_len, clean_logits):
    """Checks of fp8_paged_mqa_logits' arguments (metadata only)."""
    _check_fp8("q", q, _fp8_dtypes(platform), 4)
    B, next_n, H, D = q.shape
    _check_head_dim("q", D)
    check_kv_cache(kv_cache, D)
    check_tensor("weights", weights, dtypes=(torch.float32,), shape=(B * next_n, H), last_dim_contiguous=True)
    check_tensor("context_lens", context_lens, dtypes=_BOUND_DTYPES, shape=(B,), contiguous=True)
    check_tensor("block_tables", block_tables, dtypes=_BOUND_DTYPES, ndim=2, last_dim_contiguous=True)
    if block_tables.shape[0] != B:
        raise ValueError(f"block_tables must have B={B} rows like q, got shape {list(block_tables.shape)}")
    check_positive_int("max_model_len", max_model_len)
    check_bool("clean_logits", clean_logits)
    check_same_device(q=q, kv_cache=kv_cache, weights=weights, context_lens=context_lens,
                      block_tables=block_tables)


# ----------------------------------------------------------------------------------- the ops

class _IndexerOp(CustomOp):
    """Shared construction: the debug switch is read once per instance, not per call."""

    def __init__(self, provider: str | None = None) -> None:
        super().__init__(provider)
        self.debug_checks = _debug_checks_enabled()


class Fp8MqaLogits(_IndexerOp):
    """fp8 MQA logits of the lightning indexer (prefill, contiguous keys).

    Args:
        q: ``[S, H, D]`` fp8 (the platform's dtype: e4m3fn; e4m3fnuz on gfx942), unit stride on D.
        kv: ``(k, k_scale)``: k ``[N, D]`` fp8 of q's dtype, unit stride on D; k_scale ``[N]``
            (or ``[N, 1]``) float32.
        weights: ``[S, H]`` float32, unit stride on H.
        cu_seqlen_ks, cu_seqlen_ke: ``[S]`` int32, contiguous: row i sees keys ``[ks[i], ke[i])``
            (0 <= ks, ke <= N: device data, checked only with OPDISPATCH_DEBUG_CHECKS=1).
        clean_logits: write -inf outside ``[ks, ke)``; when False those positions are unspecified.
        out: optional ``[S, N]`` float32 buffer, unit stride on N.

    Formula: ``out[i, j] = sum_h weights[i, h] * relu(q[i, h, :] . k[j, :]) * k_scale[j]`` for
    ``ks[i] <= j < ke[i]`` (float32 accumulation of the fp8 products), ``-inf`` elsewhere.

    Returns ``out``: ``[S, N]`` float32.

    Example:
        >>> q = torch.randn(4, 64, 128, device="cuda").to(torch.float8_e4m3fn)
        >>> k = torch.randn(100, 128, device="cuda").to(torch.float8_e4m3fn)
        >>> scale = torch.ones(100, device="cuda")
        >>> w = torch.randn(4, 64, device="cuda")
        >>> ks = torch.zeros(4, dtype=torch.int32, device="cuda")
        >>> ke = torch.tensor([97, 98, 99, 100], dtype=torch.int32, device="cuda")
        >>> logits = opdispatch.fp8_mqa_logits(q, (k, scale), w, ks, ke)   # [4, 100]
    """

    name = "fp8_mqa_logits"
    aiter_flag = AITER_FLAG

    def __call__(self, q, kv, weights, cu_seqlen_ks, cu_seqlen_ke, *, clean_logits=True, out=None):
        k, k_scale = validate_mqa(self.platform, q, kv, weights, cu_seqlen_ks, cu_seqlen_ke, clean_logits)
        S, N = q.shape[0], k.shape[0]
        if out is None:
            out = empty((S, N), torch.float32, q.device)
        else:
            _check_out("out", out, (S, N), torch.float32, q.device)
        if self.debug_checks:
            debug_check_bounds(cu_seqlen_ks, cu_seqlen_ke, N)
        self.forward(q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, out, clean_logits)
        return out


class Fp8PagedMqaLogits(_IndexerOp):
    """fp8 MQA logits over a paged K cache (decode, with next_n speculative rows per sequence).

    Args:
        q: ``[B, next_n, H, D]`` fp8 (the platform's dtype), unit stride on D.
        kv_cache: uint8 ``[num_blocks, block_size, 1, D + 4]`` in DeepGEMM's layout: per block,
            ``block_size * D`` fp8 bytes token-major, then ``block_size`` float32 scales (block
            stride may be padded to a multiple of 4 bytes).
        weights: ``[B * next_n, H]`` float32, unit stride on H.
        context_lens: ``[B]`` int32, contiguous; the tokens cached per sequence.
        block_tables: ``[B, max_blocks]`` int32, unit stride on blocks; entries past the context
            are never read. A table too short for its context is device data: checked only with
            OPDISPATCH_DEBUG_CHECKS=1.
        max_model_len: int, the logits row length.
        clean_logits: write -inf where a row sees nothing; when False those are unspecified.
        out: optional ``[B * next_n, max_model_len]`` float32 buffer, unit stride on columns.

    Formula: row ``r = b * next_n + t`` sees token j when ``j <= context_lens[b] - next_n + t``;
    token j is slot ``j % block_size`` of block ``block_tables[b, j // block_size]``;
    ``out[r, j] = sum_h weights[r, h] * relu(q[b, t, h] . k_j) * scale_j``, -inf elsewhere.

    Returns ``out``: ``[B * next_n, max_model_len]`` float32.

    Example:
        >>> logits = opdispatch.fp8_paged_mqa_logits(q, kv_cache, w, context_lens, block_tables, 65536)
    """

    name = "fp8_paged_mqa_logits"
    aiter_flag = AITER_FLAG

    def __call__(self, q, kv_cache, weights, context_lens, block_tables, max_model_len, *,
                 clean_logits=True, out=None):
        validate_paged(self.platform, q, kv_cache, weights, context_lens, block_tables, max_model_len, clean_logits)
        rows = q.shape[0] * q.shape[1]
        if out is None:
            out = empty((rows, max_model_len), torch.float32, q.device)
        else:
            _check_out("out", out, (rows, max_model_len), torch.float32, q.device)
        if self.debug_checks:
            debug_check_paged(kv_cache, context_lens, block_tables, max_model_len)
        self.forward(q, kv_cache, weights, context_lens, block_tables, out, clean_logits)
        return out


class IndexerKQuantAndCache(_IndexerOp):
    """Quantise new indexer keys to fp8 (one scale per token) and write them into the paged cache.

    Args:
        k: ``[T, D]`` bf16 (fp16, float32 accepted), unit stride on D.
        kv_cache: uint8 ``[num_blocks, block_size, 1, D + 4]``, DeepGEMM's layout (see
            :class:`Fp8PagedMqaLogits`); mutated in place, nothing else is.
        slot_mapping: ``[T]`` int64, contiguous: token t goes to slot ``slot % block_size`` of block
            ``slot // block_size``; -1 skips the token. Slots past the cache: checked only with
            OPDISPATCH_DEBUG_CHECKS=1.
        use_ue8m0: round each scale up to a power of two.
        fp8_dtype: the cache's fp8 dtype; default the platform's (e4m3fn; e4m3fnuz on gfx942).

    Formula: ``scale = max(amax(|k[t]|), 1e-4) / fp8_max`` (448 for e4m3fn, 224 for e4m3fnuz),
    ue8m0: ``2 ** ceil(log2(scale))``; ``values = clamp(k[t] / scale, +-fp8_max)`` rounded to
    nearest even in fp8.

    Example:
        >>> opdispatch.indexer_k_quant_and_cache(k, kv_cache, slot_mapping)
    """

    name = "indexer_k_quant_and_cache"
    aiter_flag = AITER_FLAG

    def __call__(self, k, kv_cache, slot_mapping, *, use_ue8m0=False, fp8_dtype=None):
        check_tensor("k", k, dtypes=_K_DTYPES, ndim=2, last_dim_contiguous=True)
        T, D = k.shape
        _check_head_dim("k", D)
        check_kv_cache(kv_cache, D)
        check_tensor("slot_mapping", slot_mapping, dtypes=(torch.int64,), shape=(T,), contiguous=True)
        check_bool("use_ue8m0", use_ue8m0)
        fp8_dtype = fp8_dtype if fp8_dtype is not None else self.platform.fp8_dtype
        allowed = _fp8_dtypes(self.platform)
        if fp8_dtype not in allowed:
            raise TypeError(f"fp8_dtype must be one of {allowed} on {self.platform.name}, got {fp8_dtype}")
        check_same_device(k=k, kv_cache=kv_cache, slot_mapping=slot_mapping)
        if self.debug_checks:
            debug_check_slots(kv_cache, slot_mapping)
        self.forward(k, kv_cache, slot_mapping, use_ue8m0, fp8_dtype == torch.float8_e4m3fnuz)


def _check_topk_out(out, rows: int, topk: int, device: torch.device) -> torch.Tensor:
    if out is None:
        return empty((rows, topk), torch.int32, device)
    return _check_out("out", out, (rows, topk), torch.int32, device)


class SparseAttnIndexerPrefill(_IndexerOp):
    """Indexer for prefill: :class:`Fp8MqaLogits` (clean) then the top-k keys of every row.

    Args: q, kv, weights, cu_seqlen_ks, cu_seqlen_ke as for :func:`fp8_mqa_logits`;
        topk: int > 0; out: optional ``[S, topk]`` int32 buffer (persistent, for CUDA graphs).

    Query rows go through in chunks so that at most ``PREFILL_LOGITS_BUDGET_BYTES`` (256 MiB) of
    float32 logits exist at once.

    Returns ``out``: ``[S, topk]`` int32, the key indices of row i's ``topk`` largest logits,
    relative to ``ks[i]`` (``j - ks[i]``), in no particular order; -1 where the row has fewer
    than ``topk`` keys.

    Example:
        >>> idx = opdispatch.sparse_attn_indexer_prefill(q, (k, scale), w, ks, ke, 2048)
    """

    name = "sparse_attn_indexer_prefill"
    aiter_flag = AITER_FLAG

    def __call__(self, q, kv, weights, cu_seqlen_ks, cu_seqlen_ke, topk, *, out=None):
        k, k_scale = validate_mqa(self.platform, q, kv, weights, cu_seqlen_ks, cu_seqlen_ke, True)
        check_positive_int("topk", topk)
        out = _check_topk_out(out, q.shape[0], topk, q.device)
        if self.debug_checks:
            debug_check_bounds(cu_seqlen_ks, cu_seqlen_ke, k.shape[0])
        self.forward(q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, topk, out)
        return out


class SparseAttnIndexerDecode(_IndexerOp):
    """Indexer for decode: :class:`Fp8PagedMqaLogits` (clean) then the top-k tokens of every row.

    Args: q, kv_cache, weights, context_lens, block_tables, max_model_len as for
        :func:`fp8_paged_mqa_logits`; topk: int > 0; out: optional ``[B * next_n, topk]`` int32.

    Returns ``out``: ``[B * next_n, topk]`` int32 token positions (from 0) of each row's ``topk``
    largest logits, in no particular order; -1 where the row sees fewer than ``topk`` tokens.

    Example:
        >>> idx = opdispatch.sparse_attn_indexer_decode(q, kv_cache, w, lens, tables, 65536, 2048)
    """

    name = "sparse_attn_indexer_decode"
    aiter_flag = AITER_FLAG

    def __call__(self, q, kv_cache, weights, context_lens, block_tables, max_model_len, topk, *, out=None):
        validate_paged(self.platform, q, kv_cache, weights, context_lens, block_tables, max_model_len, True)
        check_positive_int("topk", topk)
        out = _check_topk_out(out, q.shape[0] * q.shape[1], topk, q.device)
        if self.debug_checks:
            debug_check_paged(kv_cache, context_lens, block_tables, max_model_len)
        self.forward(q, kv_cache, weights, context_lens, block_tables, max_model_len, topk, out)
        return out


# --------------------------------------------------------------------- debug (device) checks

def debug_check_bounds(ks: torch.Tensor, ke: torch.Tensor, n: int) -> None:
    """0 <= ks <= ke <= N for every row (host sync: debug only)."""
    if ks.numel() == 0:
        return
    bad = (ks < 0) | (ke < ks) | (ke > n)
    if bool(bad.any()):
        i = int(bad.nonzero()[0, 0])
        raise ValueError(f"cu_seqlen_ks/cu_seqlen_ke: row {i} has [{int(ks[i])}, {int(ke[i])}), "
                         f"expected 0 <= ks <= ke <= N={n}")


def debug_check_paged(kv_cache: torch.Tensor, context_lens: torch.Tensor, block_tables: torch.Tensor,
                      max_model_len: int) -> None:
    """Context lengths within the table and max_model_len, used table entries inside the cache."""
    if context_lens.numel() == 0:
        return
    nb, bs = kv_cache.shape[0], kv_cache.shape[1]
    capacity = min(block_tables.shape[1] * bs, max_model_len)
    bad = (context_lens < 0) | (context_lens > capacity)
    if bool(bad.any()):
        b = int(bad.nonzero()[0, 0])
        raise ValueError(f"context_lens[{b}] = {int(context_lens[b])}, expected 0..{capacity} "
                         f"(block_tables holds {block_tables.shape[1]} blocks of {bs}; max_model_len "
                         f"{max_model_len})")
    used = torch.arange(block_tables.shape[1], device=block_tables.device) * bs < context_lens.unsqueeze(1)
    bad = used & ((block_tables < 0) | (block_tables >= nb))
    if bool(bad.any()):
        b, j = (int(v) for v in bad.nonzero()[0])
        raise ValueError(f"block_tables[{b}, {j}] = {int(block_tables[b, j])} is used by the context "
                         f"but outside the cache's {nb} blocks")


def debug_check_slots(kv_cache: torch.Tensor, slot_mapping: torch.Tensor) -> None:
    slots = kv_cache.shape[0] * kv_cache.shape[1]
    bad = (slot_mapping < -1) | (slot_mapping >= slots)
    if bool(bad.any()):
        t = int(bad.nonzero()[0, 0])
        raise ValueError(f"slot_mapping[{t}] = {int(slot_mapping[t])}, expected -1 or 0..{slots - 1}")


# ----------------------------------------------------------------------- provider registration

def _triton_mqa_logits(q: torch.Tensor, k: torch.Tensor, k_scale: torch.Tensor, weights: torch.Tensor,
                       cu_seqlen_ks: torch.Tensor, cu_seqlen_ke: torch.Tensor, out: torch.Tensor,
                       clean_logits: bool) -> None:
    from opdispatch.backends.triton import indexer as tri

    tri.fp8_mqa_logits(q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, out, clean_logits)


def _triton_paged_logits(q: torch.Tensor, kv_cache: torch.Tensor, weights: torch.Tensor,
                         context_lens: torch.Tensor, block_tables: torch.Tensor, out: torch.Tensor,
                         clean_logits: bool) -> None:
    check_kv_cache_offset(kv_cache)  # the front skips it under torch.compile
    from opdispatch.backends.triton import indexer as tri

    tri.fp8_paged_mqa_logits(q, kv_cache, weights, context_lens, block_tables, out, clean_logits)


def _triton_k_quant(k: torch.Tensor, kv_cache: torch.Tensor, slot_mapping: torch.Tensor,
                    use_ue8m0: bool, fp8_is_fnuz: bool) -> None:
    check_kv_cache_offset(kv_cache)  # the front skips it under torch.compile
    from opdispatch.backends.triton import indexer as tri

    tri.indexer_k_quant_and_cache(k, kv_cache, slot_mapping, use_ue8m0, fp8_is_fnuz)


def _vendor(provider: str):
    """The vendor adapter module of a provider, imported when first called."""
    import importlib

    return importlib.import_module(
        "opdispatch.backends.cuda.indexer" if provider == "deep_gemm" else "opdispatch.backends.rocm.indexer")


def _vendor_mqa_logits(provider: str):
    def impl(q: torch.Tensor, k: torch.Tensor, k_scale: torch.Tensor, weights: torch.Tensor,
             cu_seqlen_ks: torch.Tensor, cu_seqlen_ke: torch.Tensor, out: torch.Tensor,
             clean_logits: bool) -> None:
        _vendor(provider).fp8_mqa_logits(q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, out, clean_logits)

    return impl


def _vendor_paged_logits(provider: str):
    def impl(q: torch.Tensor, kv_cache: torch.Tensor, weights: torch.Tensor, context_lens: torch.Tensor,
             block_tables: torch.Tensor, out: torch.Tensor, clean_logits: bool) -> None:
        check_kv_cache_offset(kv_cache)  # the front skips it under torch.compile
        _vendor(provider).fp8_paged_mqa_logits(q, kv_cache, weights, context_lens, block_tables, out, clean_logits)

    return impl


def _vendor_probe(provider: str, which: str):
    def probe() -> tuple[bool, str]:
        return getattr(_vendor(provider), which)()

    return probe


# Logits functions per provider (the kernel signatures), shared by the sparse_attn_indexer ops.
_MQA_LOGITS = {"triton": _triton_mqa_logits, "deep_gemm": _vendor_mqa_logits("deep_gemm"),
               "aiter": _vendor_mqa_logits("aiter")}
_PAGED_LOGITS = {"triton": _triton_paged_logits, "deep_gemm": _vendor_paged_logits("deep_gemm"),
                 "aiter": _vendor_paged_logits("aiter")}


def _kernels_note(op: str, provider: str):
    """The ``opdispatch explain`` note of which kernels ``provider`` runs for ``op``."""
    def note(platform) -> str:
        from opdispatch.dispatch.registry import fp8_note

        if provider == "triton":
            from opdispatch.backends.triton import indexer as tri  # lazy: no triton at import

            if op in (Fp8MqaLogits.name, SparseAttnIndexerPrefill.name):
                text = tri.describe_mqa_logits(platform)
            elif op in (Fp8PagedMqaLogits.name, SparseAttnIndexerDecode.name):
                text = tri.describe_paged_logits(platform)
            else:
                text = "one Triton kernel (quantise + scatter)"
            if op in (SparseAttnIndexerPrefill.name, SparseAttnIndexerDecode.name):
                text = f"logits by {text}; then the Triton top-k"
            return f"{text}; {fp8_note(platform)}"
        if provider == "deep_gemm":
            return ("DeepGEMM's fp8_fp4_* (newer) or fp8_* (older) logits function, whichever the "
                    "probe found, for 32 / 64 heads, head dim 32 / 64 / 128 and 64-token blocks; "
                    "other shapes run the Triton kernel; logits copied into out")
        return ("aiter's Triton logits kernels; the paged op only for 1-token blocks (others run "
                "the Triton kernel); " + fp8_note(platform))
    return note


def prefill_chunk_rows(num_keys: int) -> int:
    """Query rows per chunk of sparse_attn_indexer_prefill (a function of the shape only)."""
    return max(1, PREFILL_LOGITS_BUDGET_BYTES // (4 * max(1, num_keys)))


def _prefill_with(provider: str):
    logits_fn = _MQA_LOGITS[provider]

    def impl(q: torch.Tensor, k: torch.Tensor, k_scale: torch.Tensor, weights: torch.Tensor,
             cu_seqlen_ks: torch.Tensor, cu_seqlen_ke: torch.Tensor, topk: int, out: torch.Tensor) -> None:
        S, N = q.shape[0], k.shape[0]
        if S == 0:
            return
        import opdispatch.ops.topk as topk_ops  # inside: the families import in any order

        step = prefill_chunk_rows(N)
        logits = torch.empty((min(step, S), N), dtype=torch.float32, device=q.device)
        for r0 in range(0, S, step):
            r1 = min(S, r0 + step)
            chunk = logits[: r1 - r0]
            ks, ke = cu_seqlen_ks[r0:r1], cu_seqlen_ke[r0:r1]
            logits_fn(q[r0:r1], k, k_scale, weights[r0:r1], ks, ke, chunk, True)
            topk_ops.top_k_per_row_prefill(chunk, ks, ke, topk, out=out[r0:r1])

    return impl


def _decode_with(provider: str):
    logits_fn = _PAGED_LOGITS[provider]

    def impl(q: torch.Tensor, kv_cache: torch.Tensor, weights: torch.Tensor, context_lens: torch.Tensor,
             block_tables: torch.Tensor, max_model_len: int, topk: int, out: torch.Tensor) -> None:
        B, next_n = q.shape[0], q.shape[1]
        if B == 0:
            return
        logits = torch.empty((B * next_n, max_model_len), dtype=torch.float32, device=q.device)
        logits_fn(q, kv_cache, weights, context_lens, block_tables, logits, True)
        import opdispatch.ops.topk as topk_ops  # inside: the families import in any order

        topk_ops.top_k_per_row_decode(logits, next_n, context_lens, topk, out=out)

    return impl


def _register() -> None:
    register_impl(Fp8MqaLogits.name, "torch_ref", ref.fp8_mqa_logits)
    register_impl(Fp8PagedMqaLogits.name, "torch_ref", ref.fp8_paged_mqa_logits)
    register_impl(IndexerKQuantAndCache.name, "torch_ref", ref.indexer_k_quant_and_cache)
    register_impl(SparseAttnIndexerPrefill.name, "torch_ref", ref.sparse_attn_indexer_prefill)
    register_impl(SparseAttnIndexerDecode.name, "torch_ref", ref.sparse_attn_indexer_decode)

    register_impl(IndexerKQuantAndCache.name, "triton",
                  kernel_op("indexer_k_quant_and_cache_triton", _triton_k_quant, mutates_args=("kv_cache",)),
                  kernels=_kernels_note(IndexerKQuantAndCache.name, "triton"))
    for provider in ("triton", "deep_gemm", "aiter"):
        probes = ({} if provider == "triton" else
                  {"mqa": _vendor_probe(provider, "probe_mqa_logits"),
                   "paged": _vendor_probe(provider, "probe_paged_mqa_logits")})
        register_impl(Fp8MqaLogits.name, provider,
                      kernel_op(f"fp8_mqa_logits_{provider}", _MQA_LOGITS[provider], mutates_args=("out",)),
                      probe=probes.get("mqa"), kernels=_kernels_note(Fp8MqaLogits.name, provider))
        register_impl(Fp8PagedMqaLogits.name, provider,
                      kernel_op(f"fp8_paged_mqa_logits_{provider}", _PAGED_LOGITS[provider], mutates_args=("out",)),
                      probe=probes.get("paged"), kernels=_kernels_note(Fp8PagedMqaLogits.name, provider))
        register_impl(SparseAttnIndexerPrefill.name, provider,
                      kernel_op(f"sparse_attn_indexer_prefill_{provider}", _prefill_with(provider),
                                mutates_args=("out",)),
                      probe=probes.get("mqa"), kernels=_kernels_note(SparseAttnIndexerPrefill.name, provider))
        register_impl(SparseAttnIndexerDecode.name, provider,
                      kernel_op(f"sparse_attn_indexer_decode_{provider}", _decode_with(provider),
                                mutates_args=("out",)),
                      probe=probes.get("paged"), kernels=_kernels_note(SparseAttnIndexerDecode.name, provider))


_register()


# ------------------------------------------------------------------------------- warmup makers
# DeepSeek V3.2/V4's indexer: 64 heads of 128, top-2048, cache blocks of 64 tokens. An engine
# with another max_model_len (a Triton specialisation of the decode kernels) or other dimensions
# registers its own makers with register_warmup(..., replace=True).

V32_INDEXER_HEADS, V32_INDEXER_DIM, V32_INDEXER_TOPK, V32_BLOCK_SIZE = 64, 128, 2048, 64
WARMUP_MAX_MODEL_LEN = 8192
WARMUP_PREFILL_CONTEXT = 4096  # keys cached before the prefill chunk (N = context + num_tokens)


def _warmup_fp8() -> torch.dtype:
    from opdispatch.dispatch.platform import current_platform

    return current_platform().fp8_dtype


def mqa_warmup_inputs(device: torch.device, num_tokens: int, gen: torch.Generator, *,
                      heads: int = V32_INDEXER_HEADS, dim: int = V32_INDEXER_DIM,
                      context: int = WARMUP_PREFILL_CONTEXT):
    """(q, (k, k_scale), weights, ks, ke) for fp8_mqa_logits: S = num_tokens query rows, causal
    over N = context + S keys (row i sees keys [0, context + i + 1))."""
    fp8 = _warmup_fp8()
    S, N = num_tokens, context + num_tokens
    q = (torch.randn(S, heads, dim, generator=gen) * 2).to(fp8)
    k = (torch.randn(N, dim, generator=gen) * 2).to(fp8)
    k_scale = torch.rand(N, generator=gen) + 0.25
    weights = torch.randn(S, heads, generator=gen)
    ks = torch.zeros(S, dtype=torch.int32)
    ke = torch.arange(context + 1, N + 1, dtype=torch.int32)
    q, k, k_scale, weights, ks, ke = (t.to(device) for t in (q, k, k_scale, weights, ks, ke))
    return q, (k, k_scale), weights, ks, ke


def paged_warmup_inputs(device: torch.device, num_tokens: int, gen: torch.Generator, *,
                        next_n: int = 1, heads: int = V32_INDEXER_HEADS, dim: int = V32_INDEXER_DIM,
                        block_size: int = V32_BLOCK_SIZE, max_model_len: int = WARMUP_MAX_MODEL_LEN):
    """(q, kv_cache, weights, context_lens, block_tables, max_model_len) for
    fp8_paged_mqa_logits: B = num_tokens sequences of next_n rows each. The cache and the table
    width are fixed by max_model_len (as in an engine); contexts are random in [next_n, max_model_len]."""
    fp8 = _warmup_fp8()
    B = num_tokens
    max_blocks = -(-max_model_len // block_size)
    num_blocks = 2 * max_blocks
    kv_cache = torch.zeros(num_blocks, block_size, 1, dim + 4, dtype=torch.uint8)
    values, scales = ref.split_kv_cache(kv_cache, dim, fp8)
    values.view(torch.uint8).copy_((torch.randn(num_blocks, block_size, dim, generator=gen) * 2)
                                   .to(fp8).view(torch.uint8))
    scales.copy_(torch.rand(num_blocks, block_size, generator=gen) + 0.25)
    q = (torch.randn(B, next_n, heads, dim, generator=gen) * 2).to(fp8)
    weights = torch.randn(B * next_n, heads, generator=gen)
    context_lens = torch.randint(next_n, max_model_len + 1, (B,), generator=gen, dtype=torch.int32)
    block_tables = torch.randint(0, num_blocks, (B, max_blocks), generator=gen, dtype=torch.int32)
    tensors = (t.to(device) for t in (q, kv_cache, weights, context_lens, block_tables))
    return (*tensors, max_model_len)


def k_cache_warmup_inputs(device: torch.device, num_tokens: int, gen: torch.Generator, *,
                          dim: int = V32_INDEXER_DIM, block_size: int = V32_BLOCK_SIZE,
                          num_blocks: int = 160):
    """(k, kv_cache, slot_mapping) for indexer_k_quant_and_cache: T = num_tokens bf16 keys to
    distinct slots of a fixed cache (grown when T needs more slots), every 7th token skipped (-1)."""
    T = num_tokens
    num_blocks = max(num_blocks, -(-T // block_size))
    k = (torch.randn(T, dim, generator=gen) * 3).to(torch.bfloat16)
    kv_cache = torch.zeros(num_blocks, block_size, 1, dim + 4, dtype=torch.uint8)
    slots = torch.randperm(num_blocks * block_size, generator=gen)[:T]
    slots[::7] = -1
    return k.to(device), kv_cache.to(device), slots.to(device)


def _mqa_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    return mqa_warmup_inputs(device, num_tokens, gen), {}


def _paged_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    # NEXT_N is a constexpr of the decode kernel: plain decode and one MTP draft token.
    return [(paged_warmup_inputs(device, num_tokens, gen, next_n=n), {}) for n in (1, 2)]


def _k_cache_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    # USE_UE8M0 is a constexpr of the kernel: both scale formats (each with its own cache).
    return [(k_cache_warmup_inputs(device, num_tokens, gen), {"use_ue8m0": ue8m0}) for ue8m0 in (False, True)]


def _prefill_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    return (*mqa_warmup_inputs(device, num_tokens, gen), V32_INDEXER_TOPK), {}


def _decode_variants(device: torch.device, num_tokens: int, gen: torch.Generator):
    return [((*paged_warmup_inputs(device, num_tokens, gen, next_n=n), V32_INDEXER_TOPK), {})
            for n in (1, 2)]


register_warmup(Fp8MqaLogits.name, _mqa_variants)
register_warmup(Fp8PagedMqaLogits.name, _paged_variants)
register_warmup(IndexerKQuantAndCache.name, _k_cache_variants)
register_warmup(SparseAttnIndexerPrefill.name, _prefill_variants)
register_warmup(SparseAttnIndexerDecode.name, _decode_variants)


# ------------------------------------------------------------------------------ public functions

def fp8_mqa_logits(q, kv, weights, cu_seqlen_ks, cu_seqlen_ke, *, clean_logits=True, out=None):
    """See :class:`Fp8MqaLogits`."""
    return Fp8MqaLogits.default()(q, kv, weights, cu_seqlen_ks, cu_seqlen_ke, clean_logits=clean_logits, out=out)


def fp8_paged_mqa_logits(q, kv_cache, weights, context_lens, block_tables, max_model_len, *,
                         clean_logits=True, out=None):
    """See :class:`Fp8PagedMqaLogits`."""
    return Fp8PagedMqaLogits.default()(q, kv_cache, weights, context_lens, block_tables, max_model_len,
                                       clean_logits=clean_logits, out=out)


def indexer_k_quant_and_cache(k, kv_cache, slot_mapping, *, use_ue8m0=False, fp8_dtype=None):
    """See :class:`IndexerKQuantAndCache`."""
    return IndexerKQuantAndCache.default()(k, kv_cache, slot_mapping, use_ue8m0=use_ue8m0, fp8_dtype=fp8_dtype)


def sparse_attn_indexer_prefill(q, kv, weights, cu_seqlen_ks, cu_seqlen_ke, topk, *, out=None):
    """See :class:`SparseAttnIndexerPrefill`."""
    return SparseAttnIndexerPrefill.default()(q, kv, weights, cu_seqlen_ks, cu_seqlen_ke, topk, out=out)


def sparse_attn_indexer_decode(q, kv_cache, weights, context_lens, block_tables, max_model_len, topk, *, out=None):
    """See :class:`SparseAttnIndexerDecode`."""
    return SparseAttnIndexerDecode.default()(q, kv_cache, weights, context_lens, block_tables, max_model_len,
                                             topk, out=out)


__all__ = [
    "Fp8MqaLogits", "Fp8PagedMqaLogits", "IndexerKQuantAndCache", "SparseAttnIndexerPrefill",
    "SparseAttnIndexerDecode", "fp8_mqa_logits", "fp8_paged_mqa_logits", "indexer_k_quant_and_cache",
    "sparse_attn_indexer_prefill", "sparse_attn_indexer_decode", "PREFILL_LOGITS_BUDGET_BYTES",
]
