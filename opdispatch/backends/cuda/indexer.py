"""deep_gemm adapter for the indexer logits (imported lazily: no deep_gemm at import time).

DeepGEMM has two generations of these functions, both seen in the wild:
  old: ``fp8_mqa_logits(q, kv, weights, cu_seq_len_k_start, cu_seq_len_k_end, clean_logits=True, ...)``
       ``fp8_paged_mqa_logits(q, kv_cache, weights, context_lens, block_table, schedule_meta,
       max_context_len, clean_logits=False, ...)``
  new: ``fp8_fp4_mqa_logits((q, q_sf), ...)`` / ``fp8_fp4_paged_mqa_logits((q, q_sf), ...)``, the
       same arguments with q as a (values, scale factors) pair; ``(q, None)`` means fp8.
The new names are preferred when both exist. Both allocate their own (row-padded) output, so
the adapter copies it into the preallocated ``out`` (one extra pass over the logits).

Paged: DeepGEMM >= late 2025 takes per-row visible lengths ``context_lens [B, next_n]`` (the
only form newer releases accept), with its own -inf cleaning unavailable for that form; the
adapter passes the 2-D lengths ``context_lens[b] - next_n + t + 1`` and masks while copying.

Shapes DeepGEMM does not handle on the running GPU (Hopper: heads 32 or 64, head dim 32/64/128,
block size 64) run opdispatch's Triton kernel instead, so that the op works for every valid
input whatever the provider.
"""

from __future__ import annotations

import importlib
import inspect
import re

import torch

_MQA_NAMES = ("fp8_fp4_mqa_logits", "fp8_mqa_logits")
_PAGED_NAMES = ("fp8_fp4_paged_mqa_logits", "fp8_paged_mqa_logits")
_MQA_PARAMS = ["q", "kv", "weights", "cu_seq_len_k_start", "cu_seq_len_k_end"]
_PAGED_PARAMS = ["q", "kv_cache", "weights", "context_lens", "block_table", "schedule_meta", "max_context_len"]

_SM90_HEADS = (32, 64)
_HEAD_DIMS = (32, 64, 128)
_SM90_BLOCK_SIZE = 64


def param_names(fn) -> list[str]:
    """Parameter names of a Python function or of a pybind11 function (from its docstring,
    ``name(a: T, b: T = ...) -> R``), since pybind functions have no inspectable signature."""
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        pass
    doc = (getattr(fn, "__doc__", None) or "").strip().splitlines()
    head = doc[0] if doc else ""
    match = re.match(r"^\w+\((.*)\)", head)
    if not match:
        return []
    return re.findall(r"(?:^|,\s*)(\w+)\s*:", match.group(1))


def _deep_gemm():
    return importlib.import_module("deep_gemm")


def _find(names: tuple[str, ...], expected: list[str]):
    """The first of ``names`` that deep_gemm has with the expected leading parameters."""
    dg = _deep_gemm()
    seen = []
    for name in names:
        fn = getattr(dg, name, None)
        if fn is None:
            continue
        params = param_names(fn)
        if params[: len(expected)] == expected and "clean_logits" in params:
            return fn, name
        seen.append(f"{name}{tuple(params)}")
    return None, ("; ".join(seen) or "none of " + ", ".join(names) + " present")


def probe_mqa_logits() -> tuple[bool, str]:
    fn, name = _find(_MQA_NAMES, _MQA_PARAMS)
    if fn is None:
        return False, f"deep_gemm has no usable mqa logits function ({name})"
    return True, f"deep_gemm.{name} present"


def probe_paged_mqa_logits() -> tuple[bool, str]:
    fn, name = _find(_PAGED_NAMES, _PAGED_PARAMS)
    if fn is None:
        return False, f"deep_gemm has no usable paged mqa logits function ({name})"
    if not callable(getattr(_deep_gemm(), "get_paged_mqa_logits_metadata", None)):
        return False, "deep_gemm.get_paged_mqa_logits_metadata is missing"
    return True, f"deep_gemm.{name} present"


def _q_arg(q: torch.Tensor, name: str):
    return (q, None) if name.startswith("fp8_fp4") else q


def _arch_major(device: torch.device) -> int:
    if device.type != "cuda":
        return 9  # test doubles on CPU tensors: behave as on Hopper
    return torch.cuda.get_device_capability(device)[0]


def _heads_ok(heads: int, device: torch.device) -> bool:
    return heads in _SM90_HEADS if _arch_major(device) == 9 else heads in (8, 16, 32, 64)


def mqa_supported(q: torch.Tensor, k: torch.Tensor, k_scale: torch.Tensor, weights: torch.Tensor) -> bool:
    return (q.dtype == torch.float8_e4m3fn and q.shape[2] in _HEAD_DIMS and _heads_ok(q.shape[1], q.device)
            and q.is_contiguous() and k.is_contiguous() and k_scale.is_contiguous()
            and weights.stride(1) == 1)


def paged_supported(q: torch.Tensor, kv_cache: torch.Tensor, weights: torch.Tensor,
                    block_tables: torch.Tensor) -> bool:
    block_ok = kv_cache.shape[1] == _SM90_BLOCK_SIZE or (_arch_major(q.device) >= 10 and kv_cache.shape[1] == 32)
    return (q.dtype == torch.float8_e4m3fn and q.shape[3] in _HEAD_DIMS and _heads_ok(q.shape[2], q.device)
            and block_ok and q.is_contiguous() and weights.is_contiguous() and block_tables.stride(1) == 1
            and kv_cache.stride(1) == kv_cache.shape[3])


def fp8_mqa_logits(q: torch.Tensor, k: torch.Tensor, k_scale: torch.Tensor, weights: torch.Tensor,
                   cu_seqlen_ks: torch.Tensor, cu_seqlen_ke: torch.Tensor, out: torch.Tensor,
                   clean_logits: bool) -> None:
    if q.shape[0] == 0 or k.shape[0] == 0:
        return
    if not mqa_supported(q, k, k_scale, weights):
        from opdispatch.backends.triton import indexer as triton_indexer

        triton_indexer.fp8_mqa_logits(q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, out, clean_logits)
        return
    fn, name = _find(_MQA_NAMES, _MQA_PARAMS)
    logits = fn(_q_arg(q, name), (k, k_scale), weights, cu_seqlen_ks, cu_seqlen_ke, clean_logits=clean_logits)
    out.copy_(logits)


def fp8_paged_mqa_logits(q: torch.Tensor, kv_cache: torch.Tensor, weights: torch.Tensor,
                         context_lens: torch.Tensor, block_tables: torch.Tensor, out: torch.Tensor,
                         clean_logits: bool) -> None:
    B, next_n = q.shape[0], q.shape[1]
    max_model_len = out.shape[1]
    if B == 0 or max_model_len == 0:
        return
    if not paged_supported(q, kv_cache, weights, block_tables):
        from opdispatch.backends.triton import indexer as triton_indexer

        triton_indexer.fp8_paged_mqa_logits(q, kv_cache, weights, context_lens, block_tables, out, clean_logits)
        return
    dg = _deep_gemm()
    fn, name = _find(_PAGED_NAMES, _PAGED_PARAMS)
    offsets = torch.arange(next_n, device=q.device, dtype=torch.int32)
    visible = (context_lens.unsqueeze(1) - (next_n - 1) + offsets).clamp_min(0).to(torch.int32).contiguous()
    num_sms = dg.get_num_sms() if hasattr(dg, "get_num_sms") else torch.cuda.get_device_properties(q.device).multi_processor_count
    schedule = dg.get_paged_mqa_logits_metadata(visible, kv_cache.shape[1], num_sms)
    logits = fn(_q_arg(q, name), kv_cache, weights, visible, block_tables, schedule, max_model_len,
                clean_logits=False)
    if clean_logits:
        cols = torch.arange(max_model_len, device=q.device, dtype=torch.int32)
        logits = torch.where(cols < visible.view(-1, 1), logits, float("-inf"))
    out.copy_(logits)
