"""aiter adapter for the indexer logits (imported lazily: no aiter at import time).

aiter ships both as Triton kernels; their module moved between releases:
  ``aiter.ops.triton.attention.fp8_mqa_logits`` (newer) or ``aiter.ops.triton.fp8_mqa_logits``:
      ``fp8_mqa_logits(Q, KV, kv_scales, weights, cu_starts, cu_ends[, clean_logits])`` -> logits
      (allocated by aiter, row-padded; copied into ``out``);
  ``aiter.ops.triton.attention.pa_mqa_logits`` (newer) or ``aiter.ops.triton.pa_mqa_logits``:
      ``deepgemm_fp8_paged_mqa_logits(q_fp8, kv_cache, weights, out_logits, context_lens,
      kv_indices, max_model_len, [Preshuffle, KVBlockSize, ...])`` writing into ``out_logits``
      (positions it does not compute keep their previous value, so ``out`` is filled with -inf
      first when clean logits are asked for).

aiter's non-preshuffled paged kernel addresses one token per page (``KVBlockSize=1``); with
larger pages it reads the page table per token and drops the in-page offset (wrong scores or an
illegal address: reproduced upstream), and its preshuffled path expects a 16x16-tiled cache, not
this library's token-major layout. So paged calls with block_size > 1 run opdispatch's Triton
kernel; block_size == 1 goes to aiter.
"""

from __future__ import annotations

import importlib
import inspect

import torch

_MQA_MODULES = ("aiter.ops.triton.attention.fp8_mqa_logits", "aiter.ops.triton.fp8_mqa_logits")
_PAGED_MODULES = ("aiter.ops.triton.attention.pa_mqa_logits", "aiter.ops.triton.pa_mqa_logits")
_MQA_PARAMS = ["Q", "KV", "kv_scales", "weights", "cu_starts", "cu_ends"]
_PAGED_PARAMS = ["weights", "out_logits", "context_lens", "kv_indices", "max_model_len"]  # after q, cache


def _find(modules: tuple[str, ...], fname: str):
    """(function, its parameter names, module name) from the first module that has it."""
    missing = []
    for module in modules:
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            missing.append(f"{module} ({exc})")
            continue
        fn = getattr(mod, fname, None)
        if fn is not None:
            return fn, list(inspect.signature(fn).parameters), module
        missing.append(f"{module}.{fname} missing")
    return None, [], "; ".join(missing)


def probe_mqa_logits() -> tuple[bool, str]:
    fn, params, where = _find(_MQA_MODULES, "fp8_mqa_logits")
    if fn is None:
        return False, f"aiter fp8_mqa_logits not found: {where}"
    if params[:6] != _MQA_PARAMS:
        return False, f"{where}.fp8_mqa_logits has parameters {params}, expected {_MQA_PARAMS} first"
    return True, f"{where}.fp8_mqa_logits present"


def probe_paged_mqa_logits() -> tuple[bool, str]:
    fn, params, where = _find(_PAGED_MODULES, "deepgemm_fp8_paged_mqa_logits")
    if fn is None:
        return False, f"aiter deepgemm_fp8_paged_mqa_logits not found: {where}"
    if len(params) < 7 or params[2:7] != _PAGED_PARAMS:
        return False, (f"{where}.deepgemm_fp8_paged_mqa_logits has parameters {params}, expected "
                       f"(q_fp8, kv_cache, {', '.join(_PAGED_PARAMS)}, ...)")
    return True, f"{where}.deepgemm_fp8_paged_mqa_logits present"


def fp8_mqa_logits(q: torch.Tensor, k: torch.Tensor, k_scale: torch.Tensor, weights: torch.Tensor,
                   cu_seqlen_ks: torch.Tensor, cu_seqlen_ke: torch.Tensor, out: torch.Tensor,
                   clean_logits: bool) -> None:
    if q.shape[0] == 0 or k.shape[0] == 0:
        return
    heads, dim = q.shape[1], q.shape[2]
    if heads & (heads - 1) or dim & (dim - 1):  # aiter asserts powers of two
        from opdispatch.backends.triton import indexer as triton_indexer

        triton_indexer.fp8_mqa_logits(q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, out, clean_logits)
        return
    fn, params, _ = _find(_MQA_MODULES, "fp8_mqa_logits")
    kwargs = {"clean_logits": clean_logits} if "clean_logits" in params else {}
    out.copy_(fn(q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, **kwargs))


def fp8_paged_mqa_logits(q: torch.Tensor, kv_cache: torch.Tensor, weights: torch.Tensor,
                         context_lens: torch.Tensor, block_tables: torch.Tensor, out: torch.Tensor,
                         clean_logits: bool) -> None:
    if q.shape[0] == 0 or out.shape[1] == 0:
        return
    if kv_cache.shape[1] != 1:
        from opdispatch.backends.triton import indexer as triton_indexer

        triton_indexer.fp8_paged_mqa_logits(q, kv_cache, weights, context_lens, block_tables, out, clean_logits)
        return
    fn, params, _ = _find(_PAGED_MODULES, "deepgemm_fp8_paged_mqa_logits")
    kwargs = {}
    if "KVBlockSize" in params:
        kwargs["KVBlockSize"] = 1
    if "Preshuffle" in params:
        kwargs["Preshuffle"] = False
    if clean_logits:
        out.fill_(float("-inf"))
    # Older releases take the cache as fp8; newer ones view it themselves (a no-op on fp8).
    fn(q, kv_cache.view(q.dtype), weights, out, context_lens, block_tables, out.shape[1], **kwargs)
