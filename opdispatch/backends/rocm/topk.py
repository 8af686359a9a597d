"""aiter adapter of the top-k per row ops (ROCm). ``aiter`` is imported lazily, inside functions.

amd-aiter's ``aiter/ops/topk.py`` has (vLLM's argument order, camelCase names):
    top_k_per_row_prefill(logits, rowStarts, rowEnds, indices, values, numRows, stride0,
                          stride1, k=2048, stable=False) -> None
    top_k_per_row_decode(logits, next_n, seqLens, indices, numRows, stride0, stride1,
                         k=2048, stable=False) -> None
Same contract as ours: int32 indices local to the row start, rows with n <= k give
0..n-1 then -1. Releases without the ``k`` argument (k fixed at 2048) are refused by the probe.
The kernels write ``indices`` as a dense [rows, k] array, so an ``out`` with another row
stride goes through a temporary (one extra copy of rows * k int32).
"""

import importlib
import inspect

import torch

__all__ = ["probe_prefill", "probe_decode", "top_k_per_row_prefill", "top_k_per_row_decode"]

_MODULE = "aiter.ops.topk"
_PREFILL_PARAMS = ("logits", "rowStarts", "rowEnds", "indices", "values", "numRows", "stride0",
                   "stride1", "k")
_DECODE_PARAMS = ("logits", "next_n", "seqLens", "indices", "numRows", "stride0", "stride1", "k")


def _probe(fn_name: str, expected: tuple[str, ...]) -> tuple[bool, str]:
    try:
        module = importlib.import_module(_MODULE)
    except ImportError as e:
        return False, f"{_MODULE} cannot be imported ({e})"
    fn = getattr(module, fn_name, None)
    if fn is None:
        return False, f"{_MODULE}.{fn_name} is missing (aiter too old)"
    try:
        params = tuple(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return False, f"{_MODULE}.{fn_name} has no inspectable signature"
    if params[:len(expected)] != expected:
        return False, (f"{_MODULE}.{fn_name} has parameters {params}; expected them to start "
                       f"with {expected} (a release without k is too old)")
    return True, f"{_MODULE}.{fn_name}(..., k) present"


def probe_prefill() -> tuple[bool, str]:
    return _probe("top_k_per_row_prefill", _PREFILL_PARAMS)


def probe_decode() -> tuple[bool, str]:
    return _probe("top_k_per_row_decode", _DECODE_PARAMS)


def _dense(out: torch.Tensor) -> torch.Tensor:
    return out if out.is_contiguous() else torch.empty_like(out, memory_format=torch.contiguous_format)


def top_k_per_row_prefill(logits: torch.Tensor, row_starts: torch.Tensor, row_ends: torch.Tensor,
                          out: torch.Tensor, k: int) -> None:
    """Kernel signature of ``top_k_per_row_prefill``."""
    fn = importlib.import_module(_MODULE).top_k_per_row_prefill
    dense = _dense(out)
    fn(logits, row_starts, row_ends, dense, None, logits.shape[0], logits.stride(0),
       logits.stride(1), k)
    if dense is not out:
        out.copy_(dense)


def top_k_per_row_decode(logits: torch.Tensor, seq_lens: torch.Tensor, out: torch.Tensor,
                         next_n: int, k: int) -> None:
    """Kernel signature of ``top_k_per_row_decode``."""
    fn = importlib.import_module(_MODULE).top_k_per_row_decode
    dense = _dense(out)
    fn(logits, next_n, seq_lens, dense, logits.shape[0], logits.stride(0), logits.stride(1), k)
    if dense is not out:
        out.copy_(dense)
