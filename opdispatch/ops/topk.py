"""Top-k per row of the sparse-attention indexer's logits: prefill and decode.

Providers: torch_ref (plain PyTorch, the semantics), triton (radix select, see
docs/ops/topk.md), aiter on ROCm (``aiter.ops.topk``, behind ``VLLM_ROCM_USE_AITER`` and
``VLLM_ROCM_USE_AITER_TOPK``).
"""

from __future__ import annotations

import torch

from opdispatch.backends.rocm import topk as rocm_topk
from opdispatch.backends.torch_ref import topk as ref
from opdispatch.dispatch import CustomOp, kernel_op, register_impl
from opdispatch.dispatch.alloc import empty
from opdispatch.dispatch.validate import check_bool, check_out, check_positive_int, check_same_device, check_tensor

__all__ = ["TopKPerRowPrefill", "TopKPerRowDecode", "top_k_per_row_prefill",
           "top_k_per_row_decode"]

_CONTRACT = """
    Output contract (both ops): int32 ``[rows, k]``. Row r with n_r <= k columns gives
    ``0, 1, ..., n_r - 1`` then -1 up to k (an empty or negative-length row is all -1). Otherwise
    the k column indices, local to the row start, of the k largest values, in no particular
    order unless ``sorted=True`` (then by value, descending; n_r <= k rows keep their order).
    Ties are broken either way. -inf values are valid candidates; NaN ranks above +inf (as in
    torch.topk) and never yields an out-of-range index. Row bounds are clamped to
    ``[0, cols]``.
"""


def _check_logits(logits: object) -> torch.Tensor:
    return check_tensor("logits", logits, dtypes=(torch.float32,), ndim=2)




def _prepare_out(out: torch.Tensor | None, rows: int, k: int, device: torch.device) -> torch.Tensor:
    if out is None:
        return empty((rows, k), torch.int32, device)
    check_out("out", out, (rows, k), torch.int32, device)
    if k > 1 and out.stride(1) != 1:
        raise ValueError(f"out must have a contiguous last dimension (stride 1), got strides "
                         f"{out.stride()}")
    return out


def _sort_by_value(logits: torch.Tensor, out: torch.Tensor, starts: torch.Tensor,
                   lengths: torch.Tensor, k: int) -> None:
    """Reorder each row of ``out`` (rows with n > k) by value, descending. Plain torch ops:
    a gather, a sort of [rows, k] and a gather back; no sync, fixed shapes."""
    valid = out >= 0
    cols = (out.to(torch.int64) + starts.view(-1, 1)).clamp(0, max(logits.shape[1] - 1, 0))
    vals = logits.gather(1, cols).to(torch.float64)
    # Valid -inf must stay ahead of the -1 padding (there is none when n > k, but be exact).
    vals = torch.where(torch.isneginf(vals), -torch.finfo(torch.float64).max, vals)
    vals = torch.where(valid, vals, float("-inf"))
    order = torch.sort(vals, dim=1, descending=True, stable=True).indices
    ranked = out.gather(1, order)
    out.copy_(torch.where(lengths.view(-1, 1) > k, ranked, out))


class TopKPerRowPrefill(CustomOp):
    __doc__ = """The k largest entries of each row's column range ``[row_starts[r], row_ends[r])``.

    Args:
        logits: ``[rows, cols]`` float32, any strides (rows and columns).
        row_starts, row_ends: ``[rows]`` int32, contiguous.
        k: number of indices per row (> 0; may exceed cols).
        sorted: order each row's k indices by value, descending (a few extra torch ops).
        out: optional ``[rows, k]`` int32 buffer with unit stride along k; returned.
    """ + _CONTRACT + """
    Example:
        >>> logits = torch.randn(4, 32768, device="cuda")
        >>> starts = torch.zeros(4, dtype=torch.int32, device="cuda")
        >>> ends = torch.full((4,), 32768, dtype=torch.int32, device="cuda")
        >>> idx = opdispatch.top_k_per_row_prefill(logits, starts, ends, 2048)   # [4, 2048] int32
    """
    name = "top_k_per_row_prefill"
    aiter_flag = "VLLM_ROCM_USE_AITER_TOPK"

    def __call__(self, logits: torch.Tensor, row_starts: torch.Tensor, row_ends: torch.Tensor,
                 k: int, *, sorted: bool = False, out: torch.Tensor | None = None) -> torch.Tensor:
        logits = _check_logits(logits)
        rows = logits.shape[0]
        check_tensor("row_starts", row_starts, dtypes=(torch.int32,), shape=(rows,),
                     contiguous=True)
        check_tensor("row_ends", row_ends, dtypes=(torch.int32,), shape=(rows,), contiguous=True)
        check_positive_int("k", k)
        check_bool("sorted", sorted)
        device = check_same_device(logits=logits, row_starts=row_starts, row_ends=row_ends)
        out = _prepare_out(out, rows, k, device)
        if rows == 0:
            return out
        self.forward(logits, row_starts, row_ends, out, k)
        if sorted:
            cols = logits.shape[1]
            starts = row_starts.to(torch.int64).clamp(min=0)
            lengths = row_ends.to(torch.int64).clamp(max=cols) - starts
            _sort_by_value(logits, out, starts, lengths, k)
        return out


class TopKPerRowDecode(CustomOp):
    __doc__ = """Top-k per row for decode: rows = batch * next_n, row r covers the columns
    ``[0, seq_lens[r // next_n] - next_n + r % next_n + 1)`` (speculative token r % next_n
    sees the cache up to and including itself).

    Args:
        logits: ``[batch * next_n, cols]`` float32, any strides.
        next_n: query tokens per sequence (>= 1).
        seq_lens: ``[batch]`` int32, contiguous.
        k: number of indices per row (> 0; may exceed cols).
        sorted: order each row's k indices by value, descending.
        out: optional ``[rows, k]`` int32 buffer with unit stride along k; returned.
    """ + _CONTRACT + """
    Example:
        >>> logits = torch.randn(64, 131072, device="cuda")
        >>> seq_lens = torch.full((64,), 131072, dtype=torch.int32, device="cuda")
        >>> idx = opdispatch.top_k_per_row_decode(logits, 1, seq_lens, 2048)   # [64, 2048] int32
    """
    name = "top_k_per_row_decode"
    aiter_flag = "VLLM_ROCM_USE_AITER_TOPK"

    def __call__(self, logits: torch.Tensor, next_n: int, seq_lens: torch.Tensor, k: int, *,
                 sorted: bool = False, out: torch.Tensor | None = None) -> torch.Tensor:
        logits = _check_logits(logits)
        rows = logits.shape[0]
        check_positive_int("next_n", next_n)
        check_tensor("seq_lens", seq_lens, dtypes=(torch.int32,), ndim=1, contiguous=True)
        if seq_lens.shape[0] * next_n != rows:
            raise ValueError(f"logits has {rows} rows; expected len(seq_lens) * next_n = "
                             f"{seq_lens.shape[0]} * {next_n} = {seq_lens.shape[0] * next_n}")
        check_positive_int("k", k)
        check_bool("sorted", sorted)
        device = check_same_device(logits=logits, seq_lens=seq_lens)
        out = _prepare_out(out, rows, k, device)
        if rows == 0:
            return out
        self.forward(logits, seq_lens, out, next_n, k)
        if sorted:
            ends = ref.decode_row_ends(seq_lens, next_n, rows).clamp(max=logits.shape[1])
            _sort_by_value(logits, out, torch.zeros_like(ends), ends, k)
        return out


# ---------------------------------------------------------------------------------------------
# providers (kernel signatures: prefill (logits, row_starts, row_ends, out, k),
#                                decode  (logits, seq_lens, out, next_n, k))
# ---------------------------------------------------------------------------------------------

def _prefill_triton(logits: torch.Tensor, row_starts: torch.Tensor, row_ends: torch.Tensor,
                    out: torch.Tensor, k: int) -> None:
    from opdispatch.backends.triton.topk import top_k_per_row_prefill as launch  # lazy

    launch(logits, row_starts, row_ends, out, k)


def _decode_triton(logits: torch.Tensor, seq_lens: torch.Tensor, out: torch.Tensor,
                   next_n: int, k: int) -> None:
    from opdispatch.backends.triton.topk import top_k_per_row_decode as launch  # lazy

    launch(logits, seq_lens, out, next_n, k)


def _prefill_aiter(logits: torch.Tensor, row_starts: torch.Tensor, row_ends: torch.Tensor,
                   out: torch.Tensor, k: int) -> None:
    rocm_topk.top_k_per_row_prefill(logits, row_starts, row_ends, out, k)


def _decode_aiter(logits: torch.Tensor, seq_lens: torch.Tensor, out: torch.Tensor,
                  next_n: int, k: int) -> None:
    rocm_topk.top_k_per_row_decode(logits, seq_lens, out, next_n, k)


def _triton_note(platform) -> str:
    from opdispatch.backends.triton import topk as ttopk  # lazy: no triton at import

    return ttopk.describe(platform)


register_impl(TopKPerRowPrefill.name, "torch_ref", ref.top_k_per_row_prefill_into)
register_impl(TopKPerRowPrefill.name, "triton",
              kernel_op("top_k_per_row_prefill_triton", _prefill_triton, mutates_args=("out",)),
              kernels=_triton_note)
register_impl(TopKPerRowPrefill.name, "aiter",
              kernel_op("top_k_per_row_prefill_aiter", _prefill_aiter, mutates_args=("out",)),
              probe=rocm_topk.probe_prefill)

register_impl(TopKPerRowDecode.name, "torch_ref", ref.top_k_per_row_decode_into)
register_impl(TopKPerRowDecode.name, "triton",
              kernel_op("top_k_per_row_decode_triton", _decode_triton, mutates_args=("out",)),
              kernels=_triton_note)
register_impl(TopKPerRowDecode.name, "aiter",
              kernel_op("top_k_per_row_decode_aiter", _decode_aiter, mutates_args=("out",)),
              probe=rocm_topk.probe_decode)


def top_k_per_row_prefill(logits: torch.Tensor, row_starts: torch.Tensor, row_ends: torch.Tensor,
                          k: int, **kwargs) -> torch.Tensor:
    """Top-k column indices per row range; see :class:`TopKPerRowPrefill`."""
    return TopKPerRowPrefill.default()(logits, row_starts, row_ends, k, **kwargs)


def top_k_per_row_decode(logits: torch.Tensor, next_n: int, seq_lens: torch.Tensor, k: int,
                         **kwargs) -> torch.Tensor:
    """Top-k column indices per decode row; see :class:`TopKPerRowDecode`."""
    return TopKPerRowDecode.default()(logits, next_n, seq_lens, k, **kwargs)
