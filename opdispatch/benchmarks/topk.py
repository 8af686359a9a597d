"""Benchmark cases of the top-k ops: the issue's performance table, then the sweep (tag
"sweep", labels starting with "sweep"): rows {1, 8, 64, 512, 4096} x cols {4096, 32768, 131072,
262144} x k {512, 1024, 2048}. The floor is the minimum traffic: read the logits once, write
the indices, read the row bounds."""

from __future__ import annotations

import torch

from opdispatch.dispatch.bench import BenchCase, BenchSetup, register_bench


def _torch_topk(logits: torch.Tensor, k: int) -> torch.Tensor:
    """What ROCm users without aiter run today (full rows)."""
    return torch.topk(logits, k, dim=1, sorted=False).indices.to(torch.int32)


def _logits(rows: int, cols: int, device: torch.device) -> torch.Tensor:
    gen = torch.Generator(device=device).manual_seed(rows * 31 + cols)
    return torch.randn(rows, cols, device=device, generator=gen)


def _decode_setup(rows: int, cols: int, k: int):
    def setup(device: torch.device) -> BenchSetup:
        from opdispatch.ops.topk import top_k_per_row_decode

        x = _logits(rows, cols, device)
        seq_lens = torch.full((rows,), cols, dtype=torch.int32, device=device)
        out = torch.empty((rows, k), dtype=torch.int32, device=device)
        return BenchSetup(
            ours=lambda: top_k_per_row_decode(x, 1, seq_lens, k, out=out),
            torch_fn=_torch_topk, torch_args=(x, k),
            bytes=rows * cols * 4 + rows * k * 4 + rows * 4, flops=0,
            peers={"torch.topk": lambda: torch.topk(x, k, dim=1, sorted=False)})
    return setup


def _prefill_setup(rows: int, cols: int, k: int):
    def setup(device: torch.device) -> BenchSetup:
        from opdispatch.ops.topk import top_k_per_row_prefill

        x = _logits(rows, cols, device)
        starts = torch.zeros(rows, dtype=torch.int32, device=device)
        ends = torch.full((rows,), cols, dtype=torch.int32, device=device)
        out = torch.empty((rows, k), dtype=torch.int32, device=device)
        return BenchSetup(
            ours=lambda: top_k_per_row_prefill(x, starts, ends, k, out=out),
            torch_fn=_torch_topk, torch_args=(x, k),
            bytes=rows * cols * 4 + rows * k * 4 + rows * 8, flops=0,
            peers={"torch.topk": lambda: torch.topk(x, k, dim=1, sorted=False)})
    return setup


# The table (vLLM CUDA figures to beat, in the note).
TABLE = [
    ("top_k_per_row_decode", 64, 131072, 2048, "vLLM CUDA 93 us; target <= 35"),
    ("top_k_per_row_decode", 64, 131072, 512, "vLLM CUDA 88 us; target <= 35"),
    ("top_k_per_row_prefill", 4096, 32768, 2048, "vLLM CUDA 437 us; target <= 330"),
    ("top_k_per_row_decode", 1, 131072, 2048, "vLLM CUDA 77 us; target <= 15"),
    ("top_k_per_row_decode", 8, 131072, 2048, "vLLM CUDA 77 us; target <= 20"),
    ("top_k_per_row_decode", 512, 131072, 2048, "vLLM CUDA 261 us; target <= 180"),
    ("top_k_per_row_prefill", 4096, 4096, 2048, "vLLM CUDA 79 us; target <= 60"),
]

for _op, _rows, _cols, _k, _note in TABLE:
    _make = _decode_setup if _op == "top_k_per_row_decode" else _prefill_setup
    register_bench(BenchCase(op=_op, label=f"{_rows}x{_cols} k={_k}", setup=_make(_rows, _cols, _k)))

for _rows in (1, 8, 64, 512, 4096):
    for _cols in (4096, 32768, 131072, 262144):
        for _k in (512, 1024, 2048):
            # Many rows: the prefill op; few: decode (both run the same kernels).
            _op = "top_k_per_row_prefill" if _rows >= 512 else "top_k_per_row_decode"
            _make = _decode_setup if _op == "top_k_per_row_decode" else _prefill_setup
            register_bench(BenchCase(op=_op, label=f"sweep {_rows}x{_cols} k={_k}",
                                     setup=_make(_rows, _cols, _k), tags=("sweep",)))
